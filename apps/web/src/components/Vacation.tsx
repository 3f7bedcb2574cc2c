import { useEffect, useState } from 'preact/hooks';
import { api, type Vacation } from '../api.js';

interface Props {
  address: string;
  onClose(): void;
}

/**
 * A mailbox's vacation reply (issue 19): on/off, subject, message, days and further addresses.
 * Saved as the Sieve script "vacation" (the one `minimail vacation` writes), so ManageSieve and
 * `minimail sieve ADDRESS get vacation` show what this form set.
 */
export function VacationForm({ address, onClose }: Props) {
  const [form, setForm] = useState<Vacation | null>(null);
  const [status, setStatus] = useState<string>('');
  useEffect(() => {
    api
      .vacation(address)
      .then(setForm)
      .catch((e: unknown) => setStatus(e instanceof Error ? e.message : String(e)));
  }, [address]);
  if (form === null)
    return (
      <section class="vacation" aria-label="vacation reply">
        <p>{status || 'Loading…'}</p>
      </section>
    );
  const set = (patch: Partial<Vacation>) => {
    setForm({ ...form, ...patch });
    setStatus('');
  };
  const value = (event: Event) => (event.target as HTMLInputElement).value;
  return (
    <section class="vacation" aria-label="vacation reply">
      <form
        onSubmit={async (event) => {
          event.preventDefault();
          try {
            setForm(await api.setVacation(address, form));
            setStatus('Saved');
          } catch (e) {
            setStatus(e instanceof Error ? e.message : String(e));
          }
        }}
      >
        <h2>Vacation reply for {address}</h2>
        <label class="check">
          <input
            type="checkbox"
            name="enabled"
            checked={form.Enabled}
            onChange={(event) => set({ Enabled: (event.target as HTMLInputElement).checked })}
          />
          Send an automatic reply
        </label>
        <label>
          Subject <small>(empty: “Auto: ” and the original subject)</small>
          <input name="subject" value={form.Subject} onInput={(e) => set({ Subject: value(e) })} />
        </label>
        <label>
          Message
          <textarea
            name="message"
            rows={5}
            value={form.Message}
            onInput={(e) => set({ Message: value(e) })}
          />
        </label>
        <label>
          Answer each sender once per (days)
          <input
            name="days"
            type="number"
            min={1}
            max={30}
            value={form.Days}
            onInput={(e) => set({ Days: Number(value(e)) })}
          />
        </label>
        <label>
          Also answer mail to <small>(other addresses of this mailbox, comma-separated)</small>
          <input
            name="addresses"
            value={form.Addresses.join(', ')}
            onInput={(e) =>
              set({
                Addresses: value(e)
                  .split(',')
                  .map((a) => a.trim())
                  .filter((a) => a !== ''),
              })
            }
          />
        </label>
        <div class="buttons">
          <button type="submit">Save</button>
          <button type="button" class="quiet" onClick={onClose}>
            Close
          </button>
          <span class="status" role="status">
            {status}
          </span>
        </div>
      </form>
    </section>
  );
}
