/** Test helper: run a script against a raw message (string, LF or CRLF) for one recipient. */
import { compileScript } from '../compile.js';
import { runSieve, type SieveEnvironment, type SieveResult } from '../interpreter.js';
import { messageFromRaw } from '../message.js';

export function msg(text: string): Buffer {
  return Buffer.from(text.replace(/\r?\n/g, '\r\n'), 'utf8');
}

export function run(
  script: string,
  raw: string,
  env: Partial<Omit<SieveEnvironment, 'message'>> = {},
): SieveResult {
  return runSieve(compileScript(script), {
    envelope: { from: 'sender@example.org', to: 'me@example.com' },
    ...env,
    message: messageFromRaw(msg(raw)),
  });
}

/** RFC 5228 1.2 Message A. */
export const MESSAGE_A = `Date: Tue, 1 Apr 1997 09:06:31 -0800 (PST)
From: coyote@desert.example.org
To: roadrunner@acme.example.com
Subject: I have a present for you

Look, I'm sorry about the whole anvil thing, and I really
didn't mean to try and drop it on you from the top of the
cliff.  I want to try to make it up to you.  I've got some
great birdseed over here at my place--top of the line
stuff--and if you come by, I'll have it all wrapped up
for you.  I'm really sorry for all the problems I've caused
for you over the years, but I know we can work this out.
--
Wile E. Coyote   "Super Genius"   coyote@desert.example.org
`;

/** RFC 5228 1.2 Message B. */
export const MESSAGE_B = `From: youcouldberich!@reply-by-postal-mail.invalid
Sender: b1ff@de.res.example.com
To: rube@landru.example.com
Date: Mon, 31 Mar 1997 18:26:10 -0800
Subject: $$$ YOU, TOO, CAN BE A MILLIONAIRE! $$$

YOU MAY HAVE ALREADY WON TEN MILLION DOLLARS, BUT I DOUBT
IT!  SO JUST POST THIS TO SIX HUNDRED NEWSGROUPS!  IT WILL
GUARANTEE THAT YOU GET AT LEAST FIVE RESPONSES WITH MONEY!
MONEY! MONEY! COLD HARD CASH!  YOU WILL RECEIVE OVER
$20,000 IN LESS THAN TWO MONTHS!  AND IT'S LEGAL!!!!!!!!!
!!!!!!!!!!!!!!!!!!111111111!!!!!!!11111111111!!1  JUST
SEND $5 IN SMALL, UNMARKED BILLS TO THE ADDRESSES BELOW!
`;
