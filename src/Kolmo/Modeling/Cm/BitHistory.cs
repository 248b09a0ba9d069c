namespace Kolmo.Modeling;

/// <summary>
/// Bit-history states: one byte summarises what a context has seen so far, as the paq family describes them
/// (M. Mahoney, <i>Data Compression Explained</i>, §4.1.3 "indirect modeling"; the paq8 source comments on
/// <c>State_table</c>): short histories are kept exactly, longer ones as a pair of bounded counts plus the most
/// recent bit. The table is generated here at start-up from the rules below (no hand-written table).
/// <list type="bullet">
/// <item>State 0 is the empty history, so a zeroed slot means "never seen".</item>
/// <item>Histories of 1–4 bits are exact (30 states): the next bit appends.</item>
/// <item>Longer histories are (n0, n1, last bit) with n0 + n1 ≥ 5 inside the region
/// max(n0, n1) ≤ L[min(n0, n1)], L = {40, 20, 12, 8, 6, 5}; the last bit is implied when one count is 0.</item>
/// <item>Update on bit y (from a 4-bit history or a count state): n_y += 1; if the opposite count exceeds 2 it
/// becomes n/2 + 1 (old evidence fades when the statistics change). A pair outside the region first gives up
/// evidence of the opposite bit, then is clamped. A pair whose total falls below 5 becomes the exact history
/// with those counts ending in y (the other bits first, opposite bits oldest).</item>
/// </list>
/// <para>Maps: (state, bit) → next state, one byte each; state → (n0, n1), last bit, priority. Cost: one table
/// read per context per bit.</para>
/// </summary>
internal static class BitHistory
{
    private static readonly int[] Limits = [40, 20, 12, 8, 6, 5];
    private const int ExactBits = 4;

    /// <summary>Next state: <c>Next[state * 2 + bit]</c>.</summary>
    public static readonly byte[] Next;

    /// <summary>Zeros counted by a state.</summary>
    public static readonly byte[] N0;

    /// <summary>Ones counted by a state.</summary>
    public static readonly byte[] N1;

    /// <summary>Replacement priority of a state (n0 + n1: how much evidence would be lost).</summary>
    public static readonly byte[] Priority;

    /// <summary>Number of states (≤ 256).</summary>
    public static readonly int Count;

    static BitHistory()
    {
        var n0 = new List<byte> { 0 };
        var n1 = new List<byte> { 0 };
        var last = new List<int> { -1 };
        var exact = new Dictionary<(int Length, int Bits), int>();
        var counted = new Dictionary<(int N0, int N1, int Last), int>();
        for (int len = 1; len <= ExactBits; len++)
        {
            for (int bits = 0; bits < 1 << len; bits++)
            {
                int ones = System.Numerics.BitOperations.PopCount((uint)bits);
                exact[(len, bits)] = n0.Count;
                n0.Add((byte)(len - ones));
                n1.Add((byte)ones);
                last.Add(bits & 1);
            }
        }
        for (int total = ExactBits + 1; total < 64; total++)
        {
            for (int a = total; a >= 0; a--)
            {
                int b = total - a;
                if (!Allowed(a, b))
                {
                    continue;
                }
                for (int y = 0; y < 2; y++)
                {
                    if ((y == 0 && a == 0) || (y == 1 && b == 0))
                    {
                        continue;
                    }
                    counted[(a, b, y)] = n0.Count;
                    n0.Add((byte)a);
                    n1.Add((byte)b);
                    last.Add(y);
                }
            }
        }
        Count = n0.Count;
        if (Count > 256)
        {
            throw new InvalidOperationException($"bit-history table has {Count} states");
        }
        N0 = [.. n0];
        N1 = [.. n1];
        Priority = new byte[256];
        Next = new byte[Count * 2];
        var lengthOf = new int[Count];
        var bitsOf = new int[Count];
        foreach (var ((len, bits), s) in exact)
        {
            lengthOf[s] = len;
            bitsOf[s] = bits;
        }
        for (int s = 0; s < Count; s++)
        {
            Priority[s] = (byte)Math.Min(255, N0[s] + N1[s]);
            for (int y = 0; y < 2; y++)
            {
                int next;
                if (s == 0)
                {
                    next = exact[(1, y)];
                }
                else if (lengthOf[s] > 0 && lengthOf[s] < ExactBits)
                {
                    next = exact[(lengthOf[s] + 1, (bitsOf[s] << 1) | y)];
                }
                else
                {
                    int a = N0[s];
                    int b = N1[s];
                    if (y == 0)
                    {
                        a++;
                        b = b > 2 ? b / 2 + 1 : b;
                    }
                    else
                    {
                        b++;
                        a = a > 2 ? a / 2 + 1 : a;
                    }
                    while (!Allowed(a, b))
                    {
                        ref int own = ref (y == 0 ? ref a : ref b);
                        ref int opp = ref (y == 0 ? ref b : ref a);
                        if (opp > 0)
                        {
                            opp--;
                        }
                        else
                        {
                            own--;
                        }
                    }
                    next = a + b > ExactBits ? counted[(a, b, y)] : exact[Canonical(a, b, y)];
                }
                Next[s * 2 + y] = (byte)next;
            }
        }
    }

    /// <summary>The exact history with <paramref name="a"/> zeros and <paramref name="b"/> ones ending in <paramref name="y"/>: the other bits first, opposite bits oldest.</summary>
    private static (int Length, int Bits) Canonical(int a, int b, int y)
    {
        int same = (y == 1 ? b : a) - 1;
        int opp = y == 1 ? a : b;
        int bits = 0;
        for (int i = 0; i < opp; i++)
        {
            bits = (bits << 1) | (1 - y);
        }
        for (int i = 0; i <= same; i++)
        {
            bits = (bits << 1) | y;
        }
        return (a + b, bits);
    }

    private static bool Allowed(int a, int b)
    {
        int m = Math.Min(a, b);
        return m < Limits.Length && Math.Max(a, b) <= Limits[m];
    }

    /// <summary>Initial P(1) of a state on a 16-bit scale: (n1 + 0.4) / (n0 + n1 + 0.8), clamped.</summary>
    public static int InitialP16(int state)
    {
        if (state >= Count)
        {
            return 1 << 15;
        }
        int p = (int)(((10L * N1[state] + 4) << 16) / (10 * (N0[state] + N1[state]) + 8));
        return Math.Clamp(p, 64, 65536 - 64);
    }
}
