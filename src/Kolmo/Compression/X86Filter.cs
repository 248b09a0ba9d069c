namespace Kolmo.Compression;

/// <summary>
/// The x86 branch transform (the "E8/E9" or BCJ filter, as described for the 7-Zip and paq exe filters): the 32-bit
/// relative target of a CALL (E8) or JMP (E9) becomes an absolute one, so calls to the same function give the
/// same bytes wherever they are, and a model predicts them.
/// <para>Rule (our variant, invertible by construction): scanning a block from its start, an E8/E9 byte at
/// position i whose 4-byte operand lies inside the block, whose top operand byte is 0x00 or 0xFF (a near target),
/// and that is more than 3 bytes after the last E8/E9 byte the scan left unchanged, has its low 24 operand bits
/// replaced by (low 24 bits + p) mod 2^24 when encoding, or − p when decoding, where p is the position after the
/// instruction counted from the segment start; the scan then continues after the operand. An opcode the scan
/// leaves unchanged reads its top operand byte at i + 4; the 3-byte gap keeps any later rewrite off that byte, and
/// a rewrite never touches opcodes or top bytes, so the decoder, scanning the same way, makes the same decisions.</para>
/// <para>Cost: one pass over the data, in place.</para>
/// </summary>
public static class X86Filter
{
    /// <summary>Bytes past a position the rule looks at (the 4 operand bytes): what a partial scan may leave undecided.</summary>
    public const int Lookahead = 4;

    /// <summary>Transforms <paramref name="block"/> in place; <paramref name="segmentOffset"/> is the block's position in its segment.</summary>
    public static void Apply(Span<byte> block, long segmentOffset, bool encode)
    {
        int lastKept = NoOpcode;
        Scan(block, segmentOffset, encode, final: true, ref lastKept);
    }

    /// <summary>The scan state at a block start: no unchanged opcode nearby.</summary>
    public const int NoOpcode = -Lookahead;

    /// <summary>
    /// <see cref="Apply"/> over a block that arrives in pieces: <paramref name="part"/> begins where the previous
    /// call's return value left off (at <paramref name="segmentOffset"/>), and when it is not the block's
    /// <paramref name="final"/> piece, the scan stops where an operand would run past its end. Returns how many
    /// leading bytes are finished; the rest (at most <see cref="Lookahead"/>) must be passed again in front of the
    /// next piece. <paramref name="lastKept"/> is the scan state (the position of the last opcode left unchanged,
    /// relative to the part; start a block with <see cref="NoOpcode"/>); it is returned relative to the next part.
    /// Applying the pieces this way gives exactly what <see cref="Apply"/> gives on the whole block.
    /// </summary>
    public static int Scan(Span<byte> part, long segmentOffset, bool encode, bool final, ref int lastKept)
    {
        int n = part.Length;
        int i = 0;
        int kept = lastKept;
        for (; i + 4 < n; i++)
        {
            if ((part[i] & 0xFE) != 0xE8)
            {
                continue;
            }
            if ((part[i + 4] != 0 && part[i + 4] != 0xFF) || i - kept <= 3)
            {
                kept = i;
                continue;
            }
            int v = part[i + 1] | (part[i + 2] << 8) | (part[i + 3] << 16);
            int p = (int)((segmentOffset + i + 5) & 0xFFFFFF);
            v = (encode ? v + p : v - p) & 0xFFFFFF;
            part[i + 1] = (byte)v;
            part[i + 2] = (byte)(v >> 8);
            part[i + 3] = (byte)(v >> 16);
            i += 4;
        }
        int ready = final ? n : Math.Min(i, n);
        lastKept = Math.Max(kept - ready, NoOpcode);
        return ready;
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
