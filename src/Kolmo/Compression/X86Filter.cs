namespace Kolmo.Compression;

/// <summary>
/// The x86 branch transform (the "E8/E9" or BCJ filter, as described for the 7-Zip and paq exe filters): the 32-bit
/// relative target of a CALL (E8) or JMP (E9) becomes an absolute one, so calls to the same function give the
/// same bytes wherever they are, and a model predicts them.
/// <para>Rule (our variant, invertible by construction): scanning a block from its start, an E8/E9 byte at
/// position i whose 4-byte operand lies inside the block and whose top operand byte is 0x00 or 0xFF (a near
/// target) has its low 24 operand bits replaced by (low 24 bits + p) mod 2^24 when encoding, or − p when decoding,
/// where p is the position after the instruction counted from the segment start; the scan then continues after the
/// operand. The opcode and top byte never change, so the decoder makes the same decisions.</para>
/// <para>Cost: one pass over the data, in place.</para>
/// </summary>
public static class X86Filter
{
    /// <summary>Transforms <paramref name="block"/> in place; <paramref name="segmentOffset"/> is the block's position in its segment.</summary>
    public static void Apply(Span<byte> block, long segmentOffset, bool encode)
    {
        int n = block.Length;
        for (int i = 0; i + 4 < n; i++)
        {
            if ((block[i] & 0xFE) != 0xE8 || (block[i + 4] != 0 && block[i + 4] != 0xFF))
            {
                continue;
            }
            int v = block[i + 1] | (block[i + 2] << 8) | (block[i + 3] << 16);
            int p = (int)((segmentOffset + i + 5) & 0xFFFFFF);
            v = (encode ? v + p : v - p) & 0xFFFFFF;
            block[i + 1] = (byte)v;
            block[i + 2] = (byte)(v >> 8);
            block[i + 3] = (byte)(v >> 16);
            i += 4;
        }
    }

    /// <summary>
    /// Whether <paramref name="sample"/> looks like x86 machine code: at least one near CALL/JMP (as
    /// <see cref="Apply"/> would transform) per 256 bytes, and near targets make up at least 60% of the E8/E9 bytes.
    /// </summary>
    public static bool Detect(ReadOnlySpan<byte> sample)
    {
        int opcodes = 0;
        int near = 0;
        for (int i = 0; i + 4 < sample.Length; i++)
        {
            if ((sample[i] & 0xFE) != 0xE8)
            {
                continue;
            }
            opcodes++;
            if (sample[i + 4] == 0 || sample[i + 4] == 0xFF)
            {
                near++;
                i += 4;
            }
        }
        return sample.Length >= 4096 && near * 256 >= sample.Length && near * 10 >= opcodes * 6;
    }
}
