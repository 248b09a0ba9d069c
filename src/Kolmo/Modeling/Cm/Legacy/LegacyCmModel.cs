using Kolmo.Coding;

namespace Kolmo.Modeling.Legacy;

/// <summary>
/// The first cm model, frozen: it decodes <c>.kolmo</c> files whose cm parameters are one byte (written before the
/// cm rewrite; golden files in tests/Golden/cm-legacy). Never change its behaviour. The design as it was: Per bit, every context's bit-history state is
/// mapped to a probability by its own adaptive <see cref="StateMap"/>; those, the <see cref="MatchModel"/>
/// and an order-0 bias go into a two-layer <see cref="Mixer"/> whose weight sets are chosen by the partial
/// byte, the match state, the previous byte and how many high orders have been seen; three <see cref="Apm"/>
/// stages refine the mix. Contexts are hashed into one <see cref="NibbleHashTable"/> at bits 0 and 4 of each
/// byte. Integer arithmetic only: identical output on every machine.
/// </summary>
internal sealed class LegacyCmModel : IRestorableModel, IExternalInputs
{
    private readonly LegacyCmOptions _options;
    private readonly int _nctx;
    private readonly NibbleHashTable _table;
    private readonly byte[] _t;
    private readonly StateMap[] _sm;
    private readonly uint[] _hash;
    private readonly int[] _slot;
    private readonly uint[] _hash2;
    private readonly int[] _line;
    private readonly int[] _node;
    private readonly MatchModel _match;
    private readonly RunMap? _run;
    private readonly int _sets;
    private readonly Mixer _mixer;
    private readonly Apm _apm1;
    private readonly Apm _apm2;
    private readonly Apm _apm3;
    private readonly ContextState _cs;
    private int _c0 = 1;
    private int _bitPos;
    private int _pr = Probability.Half;
    private int _seen;
    private readonly int[] _ext;
    private int _extContext;

    /// <summary>Creates a model at <paramref name="options"/> (default level 6, no cap).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The level or memory cap is out of range.</exception>
    public LegacyCmModel(LegacyCmOptions? options = null)
    {
        _options = options ?? new LegacyCmOptions();
        var (hashBytes, bufferBytes, indexEntries) = _options.Sizes();
        _nctx = _options.FullContextSet ? ContextState.FullCount : ContextState.FastCount;
        _table = new NibbleHashTable(hashBytes);
        _t = _table.Table;
        _sm = new StateMap[_nctx];
        for (int i = 0; i < _nctx; i++)
        {
            _sm[i] = new StateMap(256, 1023, bitHistory: true);
        }
        _hash = new uint[_nctx];
        _slot = new int[_nctx];
        _hash2 = new uint[_nctx];
        _line = new int[_nctx];
        _node = new int[_nctx];
        _match = new MatchModel(bufferBytes, indexEntries);
        _sets = _options.RunModel ? 8 : _options.FullContextSet ? 6 : 4;
        _run = _options.RunModel ? new RunMap((int)(hashBytes / 16), _nctx) : null;
        int[] setSizes = _sets switch
        {
            8 => [256, 16 * 8, 256, 8 * 8, 256, 256, 256, 256],
            6 => [256, 16 * 8, 256, 8 * 8, 256, 256],
            _ => [256, 16 * 8, 256, 8 * 8],
        };
        _ext = new int[_options.ExternalInputs];
        _mixer = new Mixer(_nctx * (_run != null ? 3 : 2) + 3 + _ext.Length,
            _options.ExternalContexts > 0 ? [.. setSizes, _options.ExternalContexts] : setSizes, 8, lr: 8, lr2: 2);
        _apm1 = new Apm(256);
        _apm2 = new Apm(65536);
        _apm3 = new Apm(65536);
        _cs = new ContextState(_options.FullContextSet);
        _cs.Compute(_hash, _match);
        _run?.Lookup(_hash);
        Lookup();
        _pr = Predict();
    }

    private LegacyCmModel(LegacyCmModel o)
    {
        _options = o._options;
        _nctx = o._nctx;
        _table = o._table.Clone();
        _t = _table.Table;
        _sm = [.. o._sm.Select(s => s.Clone())];
        _hash = (uint[])o._hash.Clone();
        _slot = (int[])o._slot.Clone();
        _hash2 = new uint[_nctx];
        _line = new int[_nctx];
        _node = (int[])o._node.Clone();
        _match = o._match.Clone();
        _run = o._run?.Clone();
        _sets = o._sets;
        _mixer = o._mixer.Clone();
        _apm1 = o._apm1.Clone();
        _apm2 = o._apm2.Clone();
        _apm3 = o._apm3.Clone();
        _cs = o._cs.Clone();
        _c0 = o._c0;
        _bitPos = o._bitPos;
        _pr = o._pr;
        _seen = o._seen;
        _ext = (int[])o._ext.Clone();
        _extContext = o._extContext;
    }

    /// <summary>
    /// Sets the extra mixer inputs (stretched probabilities, ±2047; <see cref="LegacyCmOptions.ExternalInputs"/> of them) and
    /// the extra weight set's selector (below <see cref="LegacyCmOptions.ExternalContexts"/>) for the prediction that the next
    /// <see cref="Update"/> computes. cm+nn calls it with the network's view of the next bit before each update.
    /// </summary>
    public void SetExternal(ReadOnlySpan<int> stretched, int context)
    {
        stretched.CopyTo(_ext);
        _extContext = context;
    }

    /// <summary>The default level (<see cref="LegacyCmOptions.DefaultLevel"/>).</summary>
    public const int DefaultLevel = LegacyCmOptions.DefaultLevel;

    /// <summary>Builds a model from a level and container parameters written by the first cm model.</summary>
    /// <exception cref="InvalidDataException">The parameters are not one byte in [16, 27] or the level is out of range.</exception>
    public static LegacyCmModel Create(int level, byte[] parameters) => new(OptionsFor(level, parameters));

    /// <summary>The options <see cref="Create(int, byte[])"/> builds a model with (checked, nothing built).</summary>
    /// <exception cref="InvalidDataException">The parameters are not one byte in [16, 27] or the level is out of range.</exception>
    private static LegacyCmOptions OptionsFor(int level, byte[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (parameters.Length != 1 || parameters[0] < LegacyCmOptions.MinTableBits || parameters[0] > LegacyCmOptions.MaxTableBits
            || level < LegacyCmOptions.MinLevel || level > LegacyCmOptions.MaxLevel)
        {
            throw new InvalidDataException($"cm: invalid model parameters (level {level}, {Convert.ToHexString(parameters)}); expected one byte in [{LegacyCmOptions.MinTableBits}, {LegacyCmOptions.MaxTableBits}]");
        }
        return new LegacyCmOptions { Level = level, TableBits = parameters[0] };
    }

    /// <summary>As <see cref="Create(int, byte[])"/>, with extra mixer inputs and an extra weight set fed from outside (<see cref="SetExternal"/>).</summary>
    /// <exception cref="InvalidDataException">The parameters are invalid.</exception>
    public static LegacyCmModel Create(int level, byte[] parameters, int externalInputs, int externalContexts) =>
        new(OptionsFor(level, parameters) with { ExternalInputs = externalInputs, ExternalContexts = externalContexts });

    /// <inheritdoc />
    public string Name => "cm";

    /// <inheritdoc />
    public int ExternalInputs => _ext.Length;

    /// <summary>The options this model was built with.</summary>
    public LegacyCmOptions Options => _options;

    /// <inheritdoc />
    public long MemoryBytes =>
        _table.MemoryBytes + _match.MemoryBytes + _mixer.MemoryBytes + _sm.Sum(s => s.MemoryBytes)
        + (_run?.MemoryBytes ?? 0) + _apm1.MemoryBytes + _apm2.MemoryBytes + _apm3.MemoryBytes + ContextState.MemoryBytes;

    /// <summary>Mixer kernel path (tests compare the scalar reference with SIMD; default: widest SIMD).</summary>
    internal MixerKernels.Path KernelPath
    {
        get => _mixer.KernelPath;
        set => _mixer.KernelPath = value;
    }

    /// <inheritdoc />
    public int P() => _pr;

    /// <inheritdoc />
    public void Update(int bit)
    {
        // 1. Update models with the coded bit.
        _mixer.Update(bit);
        _apm1.Update(bit);
        _apm2.Update(bit);
        _apm3.Update(bit);
        for (int i = 0; i < _nctx; i++)
        {
            ref byte s = ref _t[_node[i]];
            _sm[i].Update(bit);
            s = StateTable.Next[s * 2 + bit];
        }
        _match.Update(bit);
        _run?.Update(bit);

        // 2. Update contexts: partial byte; at byte end the byte contexts, at bits 0 and 4 the hash slots.
        _c0 = (_c0 << 1) | bit;
        if (++_bitPos == 8)
        {
            int c = _c0 & 255;
            _match.ByteUpdate(c);
            _cs.ByteUpdate(c, _match);
            _run?.ByteUpdate(c);
            _cs.Compute(_hash, _match);
            _run?.Lookup(_hash);
            _c0 = 1;
            _bitPos = 0;
            Lookup();
        }
        else if (_bitPos == 4)
        {
            Lookup();
        }

        // 3. Predict the next bit.
        _pr = Predict();
    }

    /// <inheritdoc />
    public void Prime(ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            for (int k = 7; k >= 0; k--)
            {
                Update((b >> k) & 1);
            }
        }
    }

    /// <inheritdoc />
    public IByteModel Clone() => new LegacyCmModel(this);

    /// <inheritdoc />
    void IRestorableModel.RestoreFrom(IByteModel source)
    {
        if (source is not LegacyCmModel o || !Equals(o._options, _options))
        {
            throw new ArgumentException("not a first-cm model of the same configuration", nameof(source));
        }
        _table.CopyFrom(o._table);
        for (int i = 0; i < _nctx; i++)
        {
            _sm[i].CopyFrom(o._sm[i]);
        }
        o._hash.CopyTo(_hash, 0);
        o._slot.CopyTo(_slot, 0);
        o._node.CopyTo(_node, 0);
        _match.CopyFrom(o._match);
        _run?.CopyFrom(o._run!);
        _mixer.CopyFrom(o._mixer);
        _apm1.CopyFrom(o._apm1);
        _apm2.CopyFrom(o._apm2);
        _apm3.CopyFrom(o._apm3);
        _cs.CopyFrom(o._cs);
        _c0 = o._c0;
        _bitPos = o._bitPos;
        _pr = o._pr;
        _seen = o._seen;
        o._ext.CopyTo(_ext, 0);
        _extContext = o._extContext;
    }

    private void Lookup()
    {
        uint salt = _bitPos == 0 ? 0u : (uint)_c0 * 0x9E3779B1u;
        for (int i = 0; i < _nctx; i++)
        {
            uint h = _hash[i];
            if (salt != 0)
            {
                h = (h ^ salt) * 0x85EBCA6Bu;
                h ^= h >> 15;
            }
            _hash2[i] = h;
            int line = _table.Line(h);
            _line[i] = line;
            _table.Prefetch(line);
        }
        for (int i = 0; i < _nctx; i++)
        {
            _slot[i] = _table.Find(_hash2[i], _line[i]);
        }
    }

    private int Predict()
    {
        var m = _mixer;
        int bp = _bitPos;
        int j = bp < 4 ? _c0 : (_c0 & ((1 << (bp - 4)) - 1)) | (1 << (bp - 4));
        int known = 0;
        for (int i = 0; i < _nctx; i++)
        {
            int node = _slot[i] + j;
            _node[i] = node;
            int s = _t[node];
            int p = _sm[i].P(s);
            if (s == 0)
            {
                m.Add(0);
                m.Add(0);
            }
            else
            {
                m.Add(Logistic.Stretch(p));
                m.Add((p - 2048) >> 1);
                if (i >= 2 && i <= 5)
                {
                    known++;
                }
            }
        }
        _run?.Predict(m, _c0, bp);
        _match.Predict(m, _c0, bp);
        m.Add(256);
        foreach (int x in _ext)
        {
            m.Add(x);
        }

        m.Select(0, _c0);
        m.Select(1, _match.LengthBucket * 8 + bp);
        m.Select(2, _cs.C1);
        m.Select(3, known * 8 + bp);
        if (_sets >= 6)
        {
            m.Select(4, (int)((_cs.C4 >> 8) & 255));
            m.Select(5, (int)((_cs.C4 >> 16) & 255));
        }
        if (_sets >= 8)
        {
            m.Select(6, _match.Length > 0 ? _match.ExpectedByte : 0);
            m.Select(7, (int)(((_cs.C4 >> 4) & 15) | ((_cs.C4 >> 8) & 0xF0)));
        }
        if (_options.ExternalContexts > 0)
        {
            m.Select(_sets, _extContext);
        }
        m.SelectFinal(bp);
        int pr = m.Mix();

        int c1 = _cs.C1;
        int a1 = _apm1.P(pr, _c0);
        int a2 = _apm2.P(pr, _c0 | (c1 << 8));
        int a3 = _apm3.P(pr, (int)((_cs.C4 & 0xFFFF) * 0x2F0F3A4Bu >> 16) ^ _c0);
        int p16 = (pr * 16 + a1 + a2 + a3 + 2) >> 2;
        return Probability.Clamp(p16);
    }
}
