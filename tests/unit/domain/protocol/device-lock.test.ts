import { describe, expect, it } from 'vitest';
import { secretAcceptable } from '../../../../src/domain/protocol/device-lock.js';

// The secret that opens a device offline (issue 16): a PIN of 6+ digits, or, where the unit asks
// for one, a passphrase of 12+ characters.
describe('the unlock secret rule', () => {
  it('takes a PIN of six digits or more', () => {
    for (const pin of ['246810', '0000000', '12345678901234567890']) expect(secretAcceptable(pin, 'pin'), pin).toBe(true);
  });

  it('refuses a PIN shorter than six digits, or with anything but digits in it', () => {
    for (const pin of ['', '1', '12345', '12345a', '24681O', ' 246810', '246810 ', '246-810', '２４６８１０', '+246810'])
      expect(secretAcceptable(pin, 'pin'), JSON.stringify(pin)).toBe(false);
  });

  it('takes a passphrase of twelve characters or more, counting each character once however it is encoded', () => {
    for (const passphrase of ['correct horse', '巡防巡防巡防巡防巡防巡防', '🚓🚓🚓🚓🚓🚓🚓🚓🚓🚓🚓🚓', '123456789012'])
      expect(secretAcceptable(passphrase, 'passphrase'), passphrase).toBe(true);
  });

  it('refuses a passphrase under twelve characters, even one of more UTF-16 units', () => {
    // Eleven emoji are 22 UTF-16 units: a rule on `.length` would let them through.
    for (const passphrase of ['', 'short', '巡防巡防巡防巡防巡防巡', '🚓🚓🚓🚓🚓🚓🚓🚓🚓🚓🚓', '246810'])
      expect(secretAcceptable(passphrase, 'passphrase'), passphrase).toBe(false);
  });

  it('does not count blank space as length: twelve spaces, or a short word padded with them, is refused', () => {
    for (const passphrase of [' '.repeat(12), '\t'.repeat(12), '   short        ', 'a          b', '\u3000'.repeat(12)])
      expect(secretAcceptable(passphrase, 'passphrase'), JSON.stringify(passphrase)).toBe(false);
    expect(secretAcceptable('  correct horse  ', 'passphrase')).toBe(true);
  });
});
