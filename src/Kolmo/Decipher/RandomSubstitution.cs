namespace Kolmo.Decipher;

/// <summary>A substitution cipher made from a window of known plaintext, for measuring a solver.</summary>
/// <param name="Plain">The plaintext window (letter indices 0–25).</param>
/// <param name="Key">The key: plaintext letter → ciphertext letter (a permutation of 0–25).</param>
/// <param name="Cipher">The ciphertext as the solver sees it (symbol ids in order of first occurrence).</param>
/// <param name="Text">The ciphertext written with capital letters A–Z (what <c>kolmo decipher</c> reads from a file).</param>
public sealed record SubstitutionSample(byte[] Plain, int[] Key, Cipher Cipher, string Text)
{
    /// <summary>Share of positions where <paramref name="plaintext"/> differs from the true plaintext.</summary>
    public double SymbolError(ReadOnlySpan<byte> plaintext)
    {
        if (plaintext.Length != Plain.Length)
        {
            throw new ArgumentException($"the plaintext has {plaintext.Length} symbols, the cipher {Plain.Length}", nameof(plaintext));
        }
        int wrong = 0;
        for (int i = 0; i < Plain.Length; i++)
        {
            wrong += plaintext[i] != Plain[i] ? 1 : 0;
        }
        return Plain.Length == 0 ? 0 : wrong / (double)Plain.Length;
    }
}

/// <summary>
/// Random simple substitution ciphers of held-out text, each fixed by (length, index) alone: the window start and the
/// key come from a generator seeded with both, so every solver setting (and the <c>decipher</c> bench, and the tour)
/// sees the same ciphers.
/// </summary>
public static class RandomSubstitution
{
    /// <summary>A symbol error at or below this counts as solved (a few letters of the 26 may stay unseen or ambiguous).</summary>
    public const double SolvedError = 0.02;

    /// <summary>Cipher number <paramref name="index"/> of length <paramref name="length"/> from <paramref name="heldOut"/> (letters 0–25).</summary>
    /// <exception cref="ArgumentException">The held-out text is not longer than <paramref name="length"/>, or length &lt; 2.</exception>
    public static SubstitutionSample Make(ReadOnlySpan<byte> heldOut, int length, int index)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (heldOut.Length <= length)
        {
            throw new ArgumentException($"the held-out text has {heldOut.Length} letters; a cipher of {length} needs more", nameof(heldOut));
        }
        var rng = new Xoshiro256(0xC1F3E5UL + (ulong)length, (ulong)index);
        int start = rng.Next(heldOut.Length - length);
        byte[] plain = heldOut.Slice(start, length).ToArray();
        int[] perm = [.. Enumerable.Range(0, 26)];
        for (int j = 25; j > 0; j--)
        {
            int k = rng.Next(j + 1);
            (perm[j], perm[k]) = (perm[k], perm[j]);
        }
        // symbol ids in order of first occurrence, as a parsed ciphertext would have them
        var ids = new Dictionary<int, int>();
        int[] text = new int[length];
        var letters = new char[length];
        for (int j = 0; j < length; j++)
        {
            if (plain[j] >= 26)
            {
                throw new ArgumentException("the held-out text must hold letters 0–25 only", nameof(heldOut));
            }
            int c = perm[plain[j]];
            if (!ids.TryGetValue(c, out int id))
            {
                id = ids.Count;
                ids[c] = id;
            }
            text[j] = id;
            letters[j] = (char)('A' + c);
        }
        return new SubstitutionSample(plain, perm, Cipher.FromIds(text), new string(letters));
    }
}
