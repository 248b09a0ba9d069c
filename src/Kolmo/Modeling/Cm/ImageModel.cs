namespace Kolmo.Modeling;

/// <summary>
/// Bit-plane image model of <see cref="CmModel"/>: when the input has a detected record length r (a row of a 1-bit
/// bitmap such as Calgary's <c>pic</c>, or of any fixed-width table), it predicts each bit from the bits around it
/// in the grid of r-byte rows: the bits just above it, two and three rows up, and the bits to its left, across byte
/// boundaries. Byte-wise record contexts see the row above only whole bytes at a time; here every bit has its own
/// neighbourhood (the idea of paq8's bitmap model; our contexts).
/// <para>Maps: five contexts (each 16 bits: windows of the rows above centred on the bit's column, and the last bits
/// of its own row) → P(1) through one <see cref="StateMap"/> each (2^16 entries, count limit 127); five stretched
/// inputs to the mixer (0 while no record length is known), and a selector context (<see cref="Selector"/>).</para>
/// <para>Cost: five 4-byte table reads and writes and six history-buffer reads per bit; 1.25 MiB.</para>
/// </summary>
internal sealed unsafe class ImageModel
{
    /// <summary>Mixer inputs added per bit.</summary>
    public const int Inputs = 5;

    /// <summary>Rows of the <see cref="Selector"/> context: 0 without a record length, else 1 + 64 neighbourhoods.</summary>
    public const int SelectorContexts = 65;

    /// <summary>Bytes of the tables.</summary>
    public const long MemoryBytes = Inputs * 4L << 16;

    private const int Limit = 127;
    private readonly PinnedBuffer<uint> _buf;
    private readonly uint* _t;
    private readonly uint*[] _e = new uint*[Inputs];
    private bool _active;

    public ImageModel()
    {
        _buf = new PinnedBuffer<uint>(Inputs << 16);
        _t = _buf.Pointer;
        StateMap.Init(_buf.Span, bitHistory: false);
        for (int i = 0; i < Inputs; i++)
        {
            _e[i] = _t + (i << 16);
        }
    }

    private ImageModel(ImageModel o)
    {
        _buf = o._buf.Clone();
        _t = _buf.Pointer;
        CopyPosition(o);
    }

    /// <summary>The selector context of the last <see cref="Predict"/> (0 without a record length).</summary>
    public int Selector { get; private set; }

    /// <summary>
    /// Adds the inputs for the next bit: <paramref name="bitPos"/> bits of the current byte are known (their values in
    /// the low bits of <paramref name="c0"/>), <paramref name="c1"/> is the previous byte, and <paramref name="buf"/> holds
    /// the history (<paramref name="pos"/> bytes, masked by <paramref name="mask"/>); <paramref name="r"/> is the record
    /// length (0: none).
    /// </summary>
    public void Predict(Mixer m, byte[] buf, int mask, int pos, int r, int c0, int c1, int bitPos)
    {
        short* x = m.Next;
        m.Advance(Inputs);
        if (r < 2)
        {
            _active = false;
            Selector = 0;
            for (int i = 0; i < Inputs; i++)
            {
                x[i] = 0;
            }
            return;
        }
        _active = true;
        // Rows above as 24-bit windows (the byte left of the current column, the column's byte, the byte right of
        // it): the bit above the one to code sits at bit 15 − bitPos.
        int up = 15 - bitPos;
        int w1 = Row(buf, mask, pos - r);
        int w2 = Row(buf, mask, pos - 2 * r);
        int w3 = Row(buf, mask, pos - 3 * r);
        int above3 = (w1 >> (up - 1)) & 7;
        int above5 = (w1 >> (up - 2)) & 0x1F;
        int above7 = (w1 >> (up - 3)) & 0x7F;
        int above11 = (w1 >> (up - 5)) & 0x7FF;
        int two3 = (w2 >> (up - 1)) & 7;
        int two5 = (w2 >> (up - 2)) & 0x1F;
        int three3 = (w3 >> (up - 1)) & 7;
        int left = (c1 << bitPos) | (c0 & ((1 << bitPos) - 1));   // the bits before this one in its row, newest lowest
        Selector = 1 + (above3 | (left & 3) << 3 | (two3 & 2) << 4);
        Set(x, 0, above7 | (left & 0x1FF) << 7);
        Set(x, 1, above11 | (left & 0x1F) << 11);
        Set(x, 2, above7 | two5 << 7 | (left & 0xF) << 12);
        Set(x, 3, above3 | two3 << 3 | (left & 0xFF) << 6);
        Set(x, 4, above5 | two5 << 5 | three3 << 10 | (left & 3) << 13);
    }

    /// <summary>Input <paramref name="i"/> from its map's entry for context <paramref name="cx"/> (16 bits).</summary>
    private void Set(short* x, int i, int cx)
    {
        uint* e = _t + (i << 16) + cx;
        _e[i] = e;
        x[i] = CmTables.Stretch[*e >> 20];
    }

    private static int Row(byte[] buf, int mask, int at) =>
        (buf[(at - 1) & mask] << 16) | (buf[at & mask] << 8) | buf[(at + 1) & mask];

    /// <summary>Learns the bit of the last <see cref="Predict"/> (nothing without a record length).</summary>
    public void Update(int bit)
    {
        if (_active)
        {
            for (int i = 0; i < Inputs; i++)
            {
                StateMap.UpdateEntry(_e[i], bit, Limit);
            }
        }
    }

    /// <summary>A deep copy.</summary>
    public ImageModel Clone() => new(this);

    /// <summary>Overwrites the tables and position with <paramref name="o"/>'s.</summary>
    public void CopyFrom(ImageModel o)
    {
        _buf.CopyFrom(o._buf);
        CopyPosition(o);
    }

    private void CopyPosition(ImageModel o)
    {
        for (int i = 0; i < Inputs; i++)
        {
            _e[i] = _t + (o._e[i] - o._t);
        }
        _active = o._active;
        Selector = o.Selector;
    }
}
