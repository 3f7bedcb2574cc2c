/**
 * A long response line built as bytes, grown as needed (SORT and THREAD answers): a
 * 100,000-message answer is ~600,000 characters, and joining as many small strings cost more
 * than threading or sorting them.
 */
export class AsciiOut {
  private bytes = new Uint8Array(1 << 16);
  private length = 0;

  /** ASCII text (a keyword). */
  ascii(text: string): void {
    for (let i = 0; i < text.length; i += 1) this.byte(text.charCodeAt(i));
  }

  byte(value: number): void {
    if (this.length === this.bytes.length) this.grow();
    this.bytes[this.length++] = value;
  }

  /** A non-negative integer in decimal. */
  number(value: number): void {
    if (this.length + 16 > this.bytes.length) this.grow();
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits += 1;
    let rest = value;
    for (let i = this.length + digits - 1; i >= this.length; i -= 1) {
      this.bytes[i] = 0x30 + (rest % 10);
      rest = Math.floor(rest / 10);
    }
    this.length += digits;
  }

  text(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length).toString('latin1');
  }

  private grow(): void {
    const bigger = new Uint8Array(this.bytes.length * 2);
    bigger.set(this.bytes.subarray(0, this.length));
    this.bytes = bigger;
  }
}
