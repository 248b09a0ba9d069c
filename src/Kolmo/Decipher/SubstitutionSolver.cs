using System.Diagnostics;

namespace Kolmo.Decipher;

/// <summary>Options of <see cref="SubstitutionSolver"/>. Ranges are checked by <see cref="SubstitutionSolver.Solve"/>.</summary>
public sealed class SolverOptions
{
    /// <summary>Homophonic (many symbols → one letter) instead of one-to-one. Default false.</summary>
    public bool Homophonic { get; set; }

    /// <summary>Maximum number of random restarts (1..100000). Default 32.</summary>
    public int Restarts { get; set; } = 32;

    /// <summary>Annealing steps per restart; 0 = automatic from the cipher length and mode. Default 0.</summary>
    public int Iterations { get; set; }

    /// <summary>
    /// Stop early once this many restarts have ended on the best plaintext found so far (checked after each
    /// batch of <see cref="BatchSize"/> restarts, so the result does not depend on thread count); 0 = never. Default 4.
    /// </summary>
    public int StopAgreement { get; set; } = 4;

    /// <summary>Wall-clock budget in seconds (0 = none). A time budget makes results depend on machine speed.</summary>
    public double Seconds { get; set; }

    /// <summary>Seed: restart r uses its own generator seeded from (seed, r). Default 1.</summary>
    public ulong Seed { get; set; } = 1;

    /// <summary>Worker threads (≥ 1). Default: processor count, at most 2.</summary>
    public int Threads { get; set; } = Math.Clamp(Environment.ProcessorCount, 1, 2);

    /// <summary>
    /// Weight β of the letter-distribution prior in homophonic mode: penalty β·L·KL(p̂ ‖ q) bits, p̂ the plaintext
    /// letter frequencies, q the model's unigram. Default 1.
    /// </summary>
    public double DistributionWeight { get; set; } = 1.0;

    /// <summary>Initial annealing temperature in bits (linear cooling to 0); 0 = default for the mode.</summary>
    public double Temperature { get; set; }

    /// <summary>Called after every finished restart (from worker threads, serialised by the solver).</summary>
    public Action<SolverProgress>? Progress { get; set; }

    /// <summary>Restarts per batch; the stop rules are checked between batches.</summary>
    public const int BatchSize = 4;
}

/// <summary>Progress report of a running solve.</summary>
/// <param name="RestartsDone">Restarts finished.</param>
/// <param name="RestartsMax">Restarts planned.</param>
/// <param name="BestBits">Best score so far, in bits.</param>
public readonly record struct SolverProgress(int RestartsDone, int RestartsMax, double BestBits);

/// <summary>Result of a solve.</summary>
public sealed class SolverResult
{
    /// <summary>Plaintext letter of each cipher symbol (index = symbol id).</summary>
    public required int[] Key { get; init; }

    /// <summary>The plaintext (model alphabet indices).</summary>
    public required byte[] Plaintext { get; init; }

    /// <summary>Search objective of the best solution in bits (quantised code length + prior penalty).</summary>
    public required double ObjectiveBits { get; init; }

    /// <summary>Restarts run.</summary>
    public required int Restarts { get; init; }

    /// <summary>Restarts whose final plaintext equals the best one.</summary>
    public required int Agreement { get; init; }

    /// <summary>Objective of the best restart with a different plaintext minus the best, in bits (∞ when none).</summary>
    public required double GapBits { get; init; }

    /// <summary>Final objective of every restart, in restart order.</summary>
    public required double[] RestartBits { get; init; }

    /// <summary>Total annealing steps over all restarts.</summary>
    public required long Steps { get; init; }

    /// <summary>Annealing steps each restart was given (the automatic value when none was set).</summary>
    public required int IterationsPerRestart { get; init; }

    /// <summary>True when the time budget (<see cref="SolverOptions.Seconds"/>) ended the search before it finished.</summary>
    public required bool CutByTime { get; init; }
}

/// <summary>
/// Simulated-annealing substitution solver with random restarts. The objective is the plaintext's code length
/// under a dense n-gram <see cref="ScoreTable"/> (integer units, exact sums), plus in homophonic mode a prior
/// keeping the letter distribution plausible. A move re-scores only the n-gram windows that touch the positions
/// of the changed symbols (incremental update, as in AZdecrypt-style solvers). Restart r has its own generator
/// seeded from (seed, r); restarts run in parallel in fixed batches and the best is chosen by score, then
/// restart index — so the result depends only on the seed and budgets, never on thread timing (unless a
/// wall-clock budget cuts the search).
/// </summary>
public sealed class SubstitutionSolver
{
    private readonly ScoreTable _table;
    private readonly double[] _unigram;

    /// <summary>Creates a solver that scores with <paramref name="table"/>.</summary>
    public SubstitutionSolver(ScoreTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
        var l1 = table.Level(1);
        _unigram = [.. l1.Select(c => Math.Pow(2, -c / (double)ScoreTable.UnitsPerBit))];
        double sum = _unigram.Sum();
        for (int i = 0; i < _unigram.Length; i++)
        {
            _unigram[i] /= sum;
        }
    }

    /// <summary>The score table.</summary>
    public ScoreTable Table => _table;

    /// <summary>Default steps per restart for a cipher of <paramref name="length"/> symbols.</summary>
    public static int DefaultIterations(int length, bool homophonic)
        => homophonic ? 500_000 : Math.Clamp(length * 600, 10_000, 100_000);

    /// <summary>Solves <paramref name="cipher"/>.</summary>
    /// <exception cref="ArgumentException">Bad options, or more symbols than the mode allows.</exception>
    public SolverResult Solve(Cipher cipher, SolverOptions options)
    {
        ArgumentNullException.ThrowIfNull(cipher);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Restarts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Restarts, 100_000);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Iterations);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Seconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threads, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.StopAgreement);
        int a = _table.Alphabet.Size;
        int space = _table.Alphabet.SpaceIndex;
        if (cipher.SpaceSymbolId >= 0 && space < 0)
        {
            throw new ArgumentException("the ciphertext has word spaces but the model has no space symbol", nameof(cipher));
        }
        int letters = a - (space >= 0 ? 1 : 0);
        if (!options.Homophonic && cipher.FreeSymbolCount > letters)
        {
            throw new ArgumentException(
                $"the ciphertext has {cipher.FreeSymbolCount} distinct symbols but a one-to-one key allows at most {letters}; use --homophonic", nameof(cipher));
        }
        int iterations = options.Iterations > 0 ? options.Iterations : DefaultIterations(cipher.Length, options.Homophonic);
        var sw = Stopwatch.StartNew();
        long deadlineTicks = options.Seconds > 0 ? (long)(options.Seconds * Stopwatch.Frequency) : long.MaxValue;

        var finals = new List<Restart>();
        var lockObj = new object();
        Restart? best = null;
        int done = 0;
        bool stoppedEarly = false;
        long setupTicks = 0;   // the longest restart set-up seen (building the annealer, the first full score)
        for (int batch = 0; batch * SolverOptions.BatchSize < options.Restarts; batch++)
        {
            int first = batch * SolverOptions.BatchSize;
            int count = Math.Min(SolverOptions.BatchSize, options.Restarts - first);
            var results = new Restart[count];
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = options.Threads }, i =>
            {
                // out of time: a restart that could not set up and finish (about twice its set-up) before the
                // deadline is skipped (the first always runs)
                if (first + i > 0 && deadlineTicks != long.MaxValue && sw.ElapsedTicks + (2 * Interlocked.Read(ref setupTicks)) >= deadlineTicks)
                {
                    return;
                }
                long start = sw.ElapsedTicks;
                var annealer = new Annealer(_table, _unigram, cipher, options, iterations);
                results[i] = annealer.Run(first + i, sw, deadlineTicks, start, ref setupTicks);
                lock (lockObj)
                {
                    done++;
                    if (best is null || results[i].Units < best.Units)
                    {
                        best = results[i];
                    }
                    options.Progress?.Invoke(new SolverProgress(done, options.Restarts, best.Units / (double)ScoreTable.UnitsPerBit));
                }
            });
            finals.AddRange(results.Where(r => r is not null));
            stoppedEarly |= finals.Count < first + count;   // restarts skipped for lack of time
            if (options.StopAgreement > 0)
            {
                var b = Best(finals);
                if (finals.Count(r => r.Plain.AsSpan().SequenceEqual(b.Plain)) >= options.StopAgreement)
                {
                    break;
                }
            }
            if (sw.ElapsedTicks >= deadlineTicks)
            {
                stoppedEarly |= first + count < options.Restarts;
                break;
            }
        }
        var top = Best(finals);
        int agreement = finals.Count(r => r.Plain.AsSpan().SequenceEqual(top.Plain));
        long second = finals.Where(r => !r.Plain.AsSpan().SequenceEqual(top.Plain)).Select(r => r.Units).DefaultIfEmpty(long.MaxValue).Min();
        return new SolverResult
        {
            Key = top.Key,
            Plaintext = top.Plain,
            ObjectiveBits = top.Units / (double)ScoreTable.UnitsPerBit,
            Restarts = finals.Count,
            Agreement = agreement,
            GapBits = second == long.MaxValue ? double.PositiveInfinity : (second - top.Units) / (double)ScoreTable.UnitsPerBit,
            RestartBits = [.. finals.Select(r => r.Units / (double)ScoreTable.UnitsPerBit)],
            Steps = finals.Sum(r => r.Steps),
            IterationsPerRestart = iterations,
            CutByTime = finals.Any(r => r.Cut) || stoppedEarly,
        };
    }

    private static Restart Best(List<Restart> finals)
    {
        Restart b = finals[0];
        foreach (var r in finals)
        {
            if (r.Units < b.Units || (r.Units == b.Units && r.Index < b.Index))
            {
                b = r;
            }
        }
        return b;
    }

    internal sealed record Restart(int Index, long Units, int[] Key, byte[] Plain, long Steps, bool Cut);

    /// <summary>
    /// One annealing run. State: key (symbol → letter), plaintext, and for one-to-one keys the owner of each letter.
    /// Objective (units): Σ_e cost(window ending at e) + Σ_letters pen[l][count_l] (homophonic only).
    /// </summary>
    internal sealed class Annealer
    {
        private readonly int _n;
        private readonly int _a;
        private readonly ushort[] _top;
        private readonly ushort[][] _low;
        private readonly int[]? _hashKeys;
        private readonly ushort[] _hashCosts = [];
        private readonly ushort[] _backoff = [];
        private readonly ushort[] _below = [];
        private readonly int _hashShift;
        private readonly int _belowMod;
        private readonly int _len;
        private readonly byte[] _plain;
        private readonly int[] _key;
        private readonly int[] _owner;
        private readonly int[] _posStart;
        private readonly int[] _pos;
        private readonly int[] _mark;
        private readonly int[] _aff;
        private int _stamp;
        private readonly int[] _free;          // symbols the search may change
        private readonly int[] _allowed;       // letters free symbols may take
        private readonly bool _homophonic;
        private readonly int[] _letterCount;
        private readonly int[][]? _pen;
        private readonly int _iterations;
        private readonly double _t0;
        private readonly ulong _seed;
        private readonly double[] _unigram;

        public Annealer(ScoreTable table, double[] unigram, Cipher cipher, SolverOptions options, int iterations)
        {
            _n = table.Order;
            _a = table.Alphabet.Size;
            _top = table.Level(_n);
            _low = [.. Enumerable.Range(1, _n).Select(table.Level)];
            if (table.IsHashed)
            {
                _hashKeys = table.HashKeys;
                _hashCosts = table.HashCosts!;
                _backoff = table.Backoff!;
                _below = table.Level(_n - 1);
                _hashShift = table.HashShift;
                _belowMod = (int)NGramCounts.Pow(_a, _n - 1);
            }
            _len = cipher.Length;
            _plain = new byte[_len];
            int s = cipher.SymbolCount;
            _key = new int[s];
            _owner = new int[_a];
            int[] cnt = new int[s + 1];
            foreach (int c in cipher.Text)
            {
                cnt[c + 1]++;
            }
            _posStart = new int[s + 1];
            for (int i = 0; i < s; i++)
            {
                _posStart[i + 1] = _posStart[i] + cnt[i + 1];
            }
            _pos = new int[_len];
            int[] fill = (int[])_posStart.Clone();
            for (int i = 0; i < _len; i++)
            {
                _pos[fill[cipher.Text[i]]++] = i;
            }
            _mark = new int[_len];
            _aff = new int[_len];
            int space = table.Alphabet.SpaceIndex;
            _free = [.. Enumerable.Range(0, s).Where(x => x != cipher.SpaceSymbolId && _posStart[x + 1] > _posStart[x])];
            _allowed = [.. Enumerable.Range(0, _a).Where(l => l != space)];
            if (cipher.SpaceSymbolId >= 0)
            {
                _key[cipher.SpaceSymbolId] = space;
            }
            _homophonic = options.Homophonic;
            _letterCount = new int[_a];
            _unigram = unigram;
            if (_homophonic && options.DistributionWeight > 0)
            {
                _pen = new int[_a][];
                for (int l = 0; l < _a; l++)
                {
                    _pen[l] = new int[_len + 1];
                    for (int c = 1; c <= _len; c++)
                    {
                        double bits = options.DistributionWeight * c * Math.Log2(c / (_len * Math.Max(unigram[l], 1e-9)));
                        _pen[l][c] = (int)Math.Round(bits * ScoreTable.UnitsPerBit);
                    }
                }
            }
            _iterations = iterations;
            _t0 = (options.Temperature > 0 ? options.Temperature : _homophonic ? 6.0 : 4.0) * ScoreTable.UnitsPerBit;
            _seed = options.Seed;
        }

        private int Count(int sym) => _posStart[sym + 1] - _posStart[sym];

        private void Assign(int sym, int letter)
        {
            _letterCount[_key[sym]] -= Count(sym);
            _key[sym] = letter;
            _letterCount[letter] += Count(sym);
            for (int i = _posStart[sym]; i < _posStart[sym + 1]; i++)
            {
                _plain[_pos[i]] = (byte)letter;
            }
        }

        private int WindowCost(int e)
        {
            if (e >= _n - 1)
            {
                int key = 0;
                for (int j = e - _n + 1; j <= e; j++)
                {
                    key = key * _a + _plain[j];
                }
                if (_hashKeys is null)
                {
                    return _top[key];
                }
                int mask = _hashKeys.Length - 1;
                int slot = (int)(((uint)key * 0x9E3779B1u) >> _hashShift);
                while (true)
                {
                    int hk = _hashKeys[slot];
                    if (hk == key)
                    {
                        return _hashCosts[slot];
                    }
                    if (hk < 0)
                    {
                        return _backoff[key / _a] + _below[key % _belowMod];
                    }
                    slot = (slot + 1) & mask;
                }
            }
            int k = e + 1;
            int key2 = 0;
            for (int j = 0; j <= e; j++)
            {
                key2 = key2 * _a + _plain[j];
            }
            return _low[k - 1][key2];
        }

        private int Collect(int s1, int s2)
        {
            int stamp = ++_stamp;
            int count = 0;
            for (int pass = 0; pass < 2; pass++)
            {
                int sym = pass == 0 ? s1 : s2;
                if (sym < 0)
                {
                    continue;
                }
                for (int i = _posStart[sym]; i < _posStart[sym + 1]; i++)
                {
                    int p = _pos[i];
                    int end = Math.Min(p + _n - 1, _len - 1);
                    for (int e = p; e <= end; e++)
                    {
                        if (_mark[e] != stamp)
                        {
                            _mark[e] = stamp;
                            _aff[count++] = e;
                        }
                    }
                }
            }
            return count;
        }

        private long SumWindows(int count)
        {
            long sum = 0;
            for (int i = 0; i < count; i++)
            {
                sum += WindowCost(_aff[i]);
            }
            return sum;
        }

        private long Penalty()
        {
            if (_pen is null)
            {
                return 0;
            }
            long p = 0;
            for (int l = 0; l < _a; l++)
            {
                p += _pen[l][_letterCount[l]];
            }
            return p;
        }

        private long FullScore()
        {
            long sum = 0;
            for (int e = 0; e < _len; e++)
            {
                sum += WindowCost(e);
            }
            return sum + Penalty();
        }

        private long PenaltyTerm(int letter, int count) => _pen is null ? 0 : _pen[letter][count];

        /// <summary>
        /// One restart. Under a deadline the annealing stops early enough for the restart's closing work (restoring
        /// the best key and re-scoring the text: about what its set-up from <paramref name="startTicks"/> to the first
        /// full score took) to end by <paramref name="deadlineTicks"/>; the set-up time is reported in
        /// <paramref name="setupTicks"/> (the largest seen) so the solver skips restarts that could not finish.
        /// </summary>
        public Restart Run(int index, Stopwatch sw, long deadlineTicks, long startTicks, ref long setupTicks)
        {
            var rng = new Xoshiro256(_seed, (ulong)index);
            Array.Fill(_owner, -1);
            if (_homophonic)
            {
                // initial letters drawn from the unigram distribution over the allowed letters
                double total = _allowed.Sum(l => _unigram[l]);
                foreach (int sym in _free)
                {
                    double u = rng.NextDouble() * total;
                    int pick = _allowed[^1];
                    foreach (int l in _allowed)
                    {
                        u -= _unigram[l];
                        if (u < 0)
                        {
                            pick = l;
                            break;
                        }
                    }
                    _key[sym] = pick;
                }
            }
            else
            {
                int[] perm = (int[])_allowed.Clone();
                for (int i = perm.Length - 1; i > 0; i--)
                {
                    int j = rng.Next(i + 1);
                    (perm[i], perm[j]) = (perm[j], perm[i]);
                }
                for (int i = 0; i < _free.Length; i++)
                {
                    _key[_free[i]] = perm[i];
                    _owner[perm[i]] = _free[i];
                }
            }
            Array.Clear(_letterCount);
            for (int sym = 0; sym < _key.Length; sym++)
            {
                if (Count(sym) > 0)
                {
                    int l = _key[sym];
                    _letterCount[l] += Count(sym);
                    for (int i = _posStart[sym]; i < _posStart[sym + 1]; i++)
                    {
                        _plain[_pos[i]] = (byte)l;
                    }
                }
            }
            long score = FullScore();
            long setup = sw.ElapsedTicks - startTicks;
            long seen;
            while (setup > (seen = Interlocked.Read(ref setupTicks)) && Interlocked.CompareExchange(ref setupTicks, setup, seen) != seen)
            {
            }
            long stopTicks = deadlineTicks == long.MaxValue ? long.MaxValue : deadlineTicks - setup;
            long work = 0;   // windows re-scored since the clock was last read
            long bestScore = score;
            int[] bestKey = (int[])_key.Clone();
            int nFree = _free.Length;
            int nAllowed = _allowed.Length;
            long steps = 0;
            bool cut = false;
            if (nFree > 0)
            {
                for (int it = 0; it < _iterations; it++)
                {
                    // the clock is read every 16 steps, or sooner once 4096 windows have been re-scored: a step
                    // re-scores every window of two symbols, which on long texts takes milliseconds
                    if (stopTicks != long.MaxValue && ((it & 15) == 0 || work >= 4096))
                    {
                        work = 0;
                        if (sw.ElapsedTicks >= stopTicks)
                        {
                            cut = true;
                            break;
                        }
                    }
                    steps++;
                    double t = _t0 * (1.0 - it / (double)_iterations);
                    int s1 = _free[rng.Next(nFree)];
                    int l1 = _key[s1];
                    int s2;
                    int l2;
                    if (_homophonic && nFree > 1 && rng.Next(8) == 0)
                    {
                        s2 = _free[rng.Next(nFree)];
                        l2 = _key[s2];
                        if (l2 == l1)
                        {
                            continue;
                        }
                    }
                    else
                    {
                        l2 = _allowed[rng.Next(nAllowed)];
                        if (l2 == l1)
                        {
                            continue;
                        }
                        s2 = _homophonic ? -1 : _owner[l2];
                    }
                    int w = Collect(s1, s2);
                    work += 2 * w;
                    long before = SumWindows(w);
                    long penBefore = 0;
                    long penAfter = 0;
                    if (_pen is not null)
                    {
                        int c1 = Count(s1);
                        int c2 = s2 >= 0 ? Count(s2) : 0;
                        penBefore = PenaltyTerm(l1, _letterCount[l1]) + PenaltyTerm(l2, _letterCount[l2]);
                        penAfter = PenaltyTerm(l1, _letterCount[l1] - c1 + c2) + PenaltyTerm(l2, _letterCount[l2] + c1 - c2);
                    }
                    Assign(s1, l2);
                    if (s2 >= 0)
                    {
                        Assign(s2, l1);
                    }
                    long after = SumWindows(w);
                    long delta = after - before + penAfter - penBefore;
                    bool accept = delta <= 0 || (t > 0 && delta < 30 * t && rng.NextDouble() < Math.Exp(-delta / t));
                    if (accept)
                    {
                        score += delta;
                        if (!_homophonic)
                        {
                            _owner[l2] = s1;
                            _owner[l1] = s2;
                        }
                        if (score < bestScore)
                        {
                            bestScore = score;
                            Array.Copy(_key, bestKey, _key.Length);
                        }
                    }
                    else
                    {
                        if (s2 >= 0)
                        {
                            Assign(s2, l2);
                        }
                        Assign(s1, l1);
                    }
                }
            }
            // restore the best key of this restart
            for (int sym = 0; sym < _key.Length; sym++)
            {
                if (Count(sym) > 0)
                {
                    Assign(sym, bestKey[sym]);
                }
            }
            long check = FullScore();
            Debug.Assert(check == bestScore, "incremental score drifted");
            return new Restart(index, check, (int[])_key.Clone(), (byte[])_plain.Clone(), steps, cut);
        }
    }
}
