namespace Kolmo.Modeling.Legacy;

/// <summary>
/// Bit-history state machine ("nex" table). A state stands for a pair of counts (n0, n1): how many zeros and
/// ones were seen in a context, kept small. State 0 is the empty history (n0 = n1 = 0), so a zeroed table
/// slot means "context never seen".
/// <para>Maps: (state, bit) → next state, one byte each. Scale: state numbers 0..<see cref="Count"/>−1 (&lt; 256).</para>
/// <para>Update rule (the paq idea of non-stationary counters, in our own parametrisation): on bit y,
/// n_y += 1; if the opposite count exceeds 2 it is halved (n = n/2 + 1), so old evidence fades when the
/// statistics change. Pairs are kept inside the region max(n0,n1) ≤ L[min(n0,n1)] with
/// L = {40, 30, 16, 8, 6, 5}: a pair that leaves it first gives up opposite counts, then is clamped.
/// The table is generated here at start-up (no hand-written table), 186 states.</para>
/// <para>Cost: one table read per context per bit.</para>
/// </summary>
internal static class StateTable
{
    private static readonly int[] Limits = [40, 30, 16, 8, 6, 5];

    /// <summary>Next state: <c>Next[state * 2 + bit]</c>.</summary>
    public static readonly byte[] Next;

    /// <summary>Count of zeros represented by a state.</summary>
    public static readonly byte[] N0;

    /// <summary>Count of ones represented by a state.</summary>
    public static readonly byte[] N1;

    /// <summary>Replacement priority of a state (total count n0 + n1).</summary>
    public static readonly byte[] Priority;

    /// <summary>Number of states.</summary>
    public static readonly int Count;

    static StateTable()
    {
        // Enumerate allowed pairs in order of total count (state 0 = (0,0)).
        var index = new int[64, 64];
        var n0 = new List<byte>();
        var n1 = new List<byte>();
        for (int total = 0; total < 64; total++)
        {
            for (int a = total; a >= 0; a--)
            {
                int b = total - a;
                if (a < 64 && b < 64 && Allowed(a, b))
                {
                    index[a, b] = n0.Count;
                    n0.Add((byte)a);
                    n1.Add((byte)b);
                }
            }
        }
        Count = n0.Count;
        N0 = [.. n0];
        N1 = [.. n1];
        Priority = new byte[Count];
        Next = new byte[Count * 2];
        for (int s = 0; s < Count; s++)
        {
            Priority[s] = (byte)(N0[s] + N1[s]);
            for (int y = 0; y < 2; y++)
            {
                int a = N0[s];
                int b = N1[s];
                if (y == 0)
                {
                    a++;
                    if (b > 2)
                    {
                        b = b / 2 + 1;
                    }
                }
                else
                {
                    b++;
                    if (a > 2)
                    {
                        a = a / 2 + 1;
                    }
                }
                while (!Allowed(a, b))
                {
                    // Give up evidence of the (smaller) opposite bit first, then clamp the observed one.
                    ref int own = ref (y == 0 ? ref a : ref b);
                    ref int opp = ref (y == 0 ? ref b : ref a);
                    if (opp > 0 && opp <= own)
                    {
                        opp--;
                    }
                    else
                    {
                        own--;
                    }
                }
                Next[s * 2 + y] = (byte)index[a, b];
            }
        }
    }

    private static bool Allowed(int a, int b)
    {
        int m = Math.Min(a, b);
        return m < Limits.Length && Math.Max(a, b) <= Limits[m];
    }

    /// <summary>Initial P(1) of a state on a 22-bit scale: (2·n1 + 1) / (2·(n0 + n1) + 2).</summary>
    public static int InitialP22(int state) => (int)(((2L * N1[state] + 1) << 22) / (2 * (N0[state] + N1[state]) + 2));
}
