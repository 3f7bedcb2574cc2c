"""Sends one message with smtplib (submission, AUTH PLAIN), reads it with poplib and imaplib.

Each client is the standard library's own, with its send method wrapped to record the exact
command lines it put on the wire (message data aside). Prints them as JSON: {smtp, pop3, imap}.
Usage: journey_clients.py SUBMISSION_PORT POP3_PORT IMAP_PORT PASSWORD
"""
import imaplib
import json
import poplib
import smtplib
import ssl
import sys

submission_port, pop3_port, imap_port = (int(a) for a in sys.argv[1:4])
password = sys.argv[4]
sent = {"smtp": [], "pop3": [], "imap": []}


class RecordingSMTP(smtplib.SMTP):
    in_data = False

    def send(self, s):
        data = s if isinstance(s, bytes) else s.encode("ascii")
        if not self.in_data:
            sent["smtp"].append(data.decode().rstrip("\r\n"))
        self.in_data = data.lower() == b"data\r\n"
        super().send(s)


class RecordingPOP3(poplib.POP3):
    def _putline(self, line):
        sent["pop3"].append(line.decode())
        super()._putline(line)


class RecordingIMAP(imaplib.IMAP4):
    def send(self, data):
        # Commands (with their CRLF); literals would be sent on their own and carry no CRLF here.
        sent["imap"].append(data.decode().rstrip("\r\n"))
        super().send(data)


message = (
    b"From: alice@dev.test\r\n"
    b"To: bob@dev.test\r\n"
    b"Subject: journey\r\n"
    b"\r\n"
    b"Hello Bob,\r\n"
    b"this message travels by SMTP and comes back by POP3 and IMAP.\r\n"
)

smtp = RecordingSMTP("127.0.0.1", submission_port, local_hostname="client.test")
# STARTTLS first (the dev certificate is self-signed, so it is not verified here).
smtp.starttls(context=ssl._create_unverified_context())
smtp.login("alice@dev.test", password)
smtp.sendmail("alice@dev.test", ["bob@dev.test"], message)
smtp.quit()

pop = RecordingPOP3("127.0.0.1", pop3_port)
pop.user("bob@dev.test")
pop.pass_(password)
pop.stat()
pop.retr(1)
pop.quit()

imap = RecordingIMAP("127.0.0.1", imap_port)
imap.login("bob@dev.test", password)
imap.select("INBOX")
imap.fetch("1", "(RFC822)")
imap.store("1", "+FLAGS", "\\Flagged")
imap.logout()

print(json.dumps(sent))
