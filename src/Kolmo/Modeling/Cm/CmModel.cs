using Kolmo.Coding;

namespace Kolmo.Modeling;

/// <summary>
/// The paq-class context-mixing byte model (see docs/CM.md). Per bit, every context's bit-history state
/// (<see cref="BitHistory"/>) is mapped to a probability by its own adaptive state map; those, the
/// <see cref="MatchModel"/>, the level's <see cref="ImageModel"/> and <see cref="RunMap"/> and a bias go into a
/// two-layer <see cref="Mixer"/> whose weight rows are chosen by
/// the level's selectors; <see cref="Apm"/> stages refine the mix. Orders 0 and 1 are direct tables; the other
/// contexts are hashed into one <see cref="HashTable"/> at bits 0 and 4 of each byte. Integer arithmetic only:
/// identical output on every machine, SIMD width and thread count.
/// </summary>
public sealed unsafe class CmModel : IRestorableModel, IExternalInputs
{
    private const int Direct = 2;
    private readonly CmOptions _options;
    private readonly CmProfile _profile;
    private readonly CmContext[] _contexts;
    private readonly int _nh;
    private readonly int _n;
    private readonly HashTable _table;
    private readonly PinnedBuffer<byte> _directBuf;
    private readonly PinnedBuffer<uint> _smBuf;
    private readonly PinnedBuffer<nint> _ptrBuf;
    private readonly uint[] _hash;
    private readonly byte* _order0;
    private readonly byte* _order1;
    private readonly uint* _sm;
    private readonly byte** _slot;
    private readonly byte** _sp;
    private readonly uint** _ep;
    private readonly uint* _nibbleHash;
    private readonly MatchModel _match;
    private readonly ImageModel? _image;
    private readonly Mixer _mixer;
    private readonly Apm _apm0;
    private readonly Apm? _apm1;
    private readonly Apm? _apm2;
    private readonly RunMap? _run;
    private readonly ContextState _cs;
    private const int StateMapLimit = 1023;
    private const int ApmRate = 7;

    /// <summary>Contexts of the one APM of a one-APM profile: c0 × the previous byte's character class (<see cref="CharClass"/>).</summary>
    internal const int ClassApmContexts = 256 * 8;
    private int _c0 = 1;
    private int _bitPos;
    private int _pr = Probability.Half;
    private int _mixSt;
    private readonly int[] _ext;
    private int _extContext;

    /// <summary>Creates a model at <paramref name="options"/> (default level 6, no cap).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The level or memory cap is out of range.</exception>
    public CmModel(CmOptions? options = null)
    {
        _options = options ?? new CmOptions();
        var (hashBytes, bufferBytes, indexEntries) = _options.Sizes();
        _profile = _options.Profile();
        _contexts = _profile.Contexts;
        _nh = _contexts.Length;
        _n = Direct + _nh;
        _table = new HashTable(hashBytes);
        _directBuf = new PinnedBuffer<byte>(256 + 65536);
        _smBuf = new PinnedBuffer<uint>(_n * 256L);
        StateMap.Init(_smBuf.Span, bitHistory: true);
        _ptrBuf = new PinnedBuffer<nint>(4L * _n);
        _hash = new uint[_nh];
        _match = new MatchModel(bufferBytes, indexEntries, _profile.MatchMinLength);
        ArgumentOutOfRangeException.ThrowIfNegative(_options.ExternalInputs, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.ExternalInputs, CmOptions.MaxExternalInputs, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.ExternalContexts, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(_options.ExternalContexts, 1 << 16, nameof(options));
        _ext = new int[_options.ExternalInputs];
        int[] setSizes = [.. _profile.Selectors.Select(CmOptions.SelectorSize)];
        _image = _profile.Image ? new ImageModel() : null;
        _run = _profile.RunContexts > 0 ? new RunMap(CmOptions.RunMapEntries, Math.Min(_profile.RunContexts, _nh)) : null;
        int inputs = _n + MatchModel.Inputs + (_image is null ? 0 : ImageModel.Inputs) + (_run?.Inputs ?? 0) + 1 + _ext.Length;
        _mixer = new Mixer(inputs, _options.ExternalContexts > 0 ? [.. setSizes, _options.ExternalContexts] : setSizes, _profile.FinalContexts,
            lr: _profile.MixerRate, lr2: _profile.FinalRate, initialWeight: 2048);
        _apm0 = new Apm(_profile.Apms > 1 ? 256 : ClassApmContexts, ApmRate);
        _apm1 = _profile.Apms > 1 ? new Apm(65536, ApmRate) : null;
        _apm2 = _profile.Apms > 2 ? new Apm(65536, ApmRate) : null;
        _cs = new ContextState(ContextState.NeedsMoreIndirect(_contexts));
        _order0 = _directBuf.Pointer;
        _order1 = _directBuf.Pointer + 256;
        _sm = _smBuf.Pointer;
        _slot = (byte**)_ptrBuf.Pointer;
        _sp = _slot + _n;
        _ep = (uint**)(_sp + _n);
        _nibbleHash = (uint*)(_ep + _n);
        ByteStart();
        _pr = Predict();
    }

    private CmModel(CmModel o)
    {
        _options = o._options;
        _profile = o._profile;
        _contexts = o._contexts;
        _nh = o._nh;
        _n = o._n;
        _table = o._table.Clone();
        _directBuf = o._directBuf.Clone();
        _smBuf = o._smBuf.Clone();
        _ptrBuf = o._ptrBuf.Clone();
        _hash = (uint[])o._hash.Clone();
        _match = o._match.Clone();
        _image = o._image?.Clone();
        _run = o._run?.Clone();
        _mixer = o._mixer.Clone();
        _apm0 = o._apm0.Clone();
        _apm1 = o._apm1?.Clone();
        _apm2 = o._apm2?.Clone();
        _cs = o._cs.Clone();
        _order0 = _directBuf.Pointer;
        _order1 = _directBuf.Pointer + 256;
        _sm = _smBuf.Pointer;
        _slot = (byte**)_ptrBuf.Pointer;
        _sp = _slot + _n;
        _ep = (uint**)(_sp + _n);
        _nibbleHash = (uint*)(_ep + _n);
        _ext = new int[o._ext.Length];
        CopyPositionFrom(o);
    }

    /// <summary>
    /// The coding position of <paramref name="o"/> (a model of the same configuration whose tables this one already
    /// holds a copy of): its saved table pointers re-pointed into this model's tables, the bit state and the external inputs.
    /// </summary>
    private void CopyPositionFrom(CmModel o)
    {
        for (int i = 0; i < _n; i++)
        {
            _slot[i] = Rebase(o._slot[i], o);
            _sp[i] = Rebase(o._sp[i], o);
            _ep[i] = _sm + (o._ep[i] - o._sm);
        }
        _c0 = o._c0;
        _bitPos = o._bitPos;
        _pr = o._pr;
        _mixSt = o._mixSt;
        o._ext.CopyTo(_ext, 0);
        _extContext = o._extContext;
    }

    private byte* Rebase(byte* p, CmModel o)
    {
        if (p == null)
        {
            return null;
        }
        long d = p - o._directBuf.Pointer;
        if (d >= 0 && d < o._directBuf.Length)
        {
            return _directBuf.Pointer + d;
        }
        return _table.Rebase(p, o._table);
    }

    /// <summary>
    /// Sets the extra mixer inputs (stretched probabilities, ±2047; <see cref="CmOptions.ExternalInputs"/> of them) and
    /// the extra weight set's selector (below <see cref="CmOptions.ExternalContexts"/>) for the prediction that the next
    /// <see cref="Update"/> computes. cm+nn calls it with the network's view of the next bit before each update.
    /// </summary>
    public void SetExternal(ReadOnlySpan<int> stretched, int context)
    {
        stretched.CopyTo(_ext);
        _extContext = context;
    }

    /// <summary>The default level (<see cref="CmOptions.DefaultLevel"/>).</summary>
    public const int DefaultLevel = CmOptions.DefaultLevel;

    /// <summary>
    /// Container parameters for a level and optional memory limit: two bytes, log2 of the hash-table bytes and
    /// the model revision (<see cref="Revision"/>). (Files whose cm parameters are one byte were written by the first cm model and
    /// are decoded by it.)
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The level is outside 1–9 or the limit is below the level's minimum.</exception>
    public static byte[] Configure(int level, long? memoryLimitBytes)
    {
        if (memoryLimitBytes is long m && level >= CmOptions.MinLevel && level <= CmOptions.MaxLevel && m < CmOptions.MinimumMemory(level))
        {
            throw new ArgumentOutOfRangeException(nameof(memoryLimitBytes), m, $"cm level {level} needs at least {CmOptions.MinimumMemory(level)} bytes");
        }
        var (hashBytes, _, _) = new CmOptions { Level = level, MemoryCap = memoryLimitBytes }.Sizes();
        return [(byte)System.Numerics.BitOperations.Log2((ulong)hashBytes), Revision];
    }

    /// <summary>The model revision written into new files' parameters (<see cref="CmOptions.CurrentRevision"/>).</summary>
    public const byte Revision = CmOptions.CurrentRevision;

    /// <summary>Builds a model from a level and container parameters written by <see cref="Configure"/> (or by the first cm model).</summary>
    /// <exception cref="InvalidDataException">The parameters or the level are not valid.</exception>
    public static IByteModel Create(int level, byte[] parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (level < CmOptions.MinLevel || level > CmOptions.MaxLevel)
        {
            throw new InvalidDataException($"cm: invalid level {level}");
        }
        if (parameters.Length == 1)
        {
            return Legacy.LegacyCmModel.Create(level, parameters);
        }
        return new CmModel(OptionsFor(level, parameters));
    }

    /// <summary>The options of a two-byte parameter model (checked, nothing built).</summary>
    /// <exception cref="InvalidDataException">The parameters are not valid.</exception>
    private static CmOptions OptionsFor(int level, byte[] parameters)
    {
        if (parameters.Length != 2 || parameters[0] < CmOptions.MinTableBits || parameters[0] > CmOptions.MaxTableBits
            || parameters[1] < CmOptions.OldestRevision || parameters[1] > CmOptions.CurrentRevision)
        {
            throw new InvalidDataException($"cm: invalid model parameters (level {level}, {Convert.ToHexString(parameters)}); expected table bits in [{CmOptions.MinTableBits}, {CmOptions.MaxTableBits}] and a revision in [{CmOptions.OldestRevision}, {CmOptions.CurrentRevision}]");
        }
        return new CmOptions { Level = level, TableBits = parameters[0], Revision = parameters[1] };
    }

    /// <summary>As <see cref="Create(int, byte[])"/>, with extra mixer inputs and an extra weight set fed from outside (<see cref="SetExternal"/>).</summary>
    /// <exception cref="InvalidDataException">The parameters are invalid.</exception>
    public static IByteModel Create(int level, byte[] parameters, int externalInputs, int externalContexts)
    {
        // the options are read from the parameters, so one model is built (it used to build a model just to read them)
        ArgumentNullException.ThrowIfNull(parameters);
        if (level < CmOptions.MinLevel || level > CmOptions.MaxLevel)
        {
            throw new InvalidDataException($"cm: invalid level {level}");
        }
        return parameters.Length == 1
            ? Legacy.LegacyCmModel.Create(level, parameters, externalInputs, externalContexts)
            : new CmModel(OptionsFor(level, parameters) with { ExternalInputs = externalInputs, ExternalContexts = externalContexts });
    }

    /// <inheritdoc />
    public string Name => "cm";

    /// <summary>The options this model was built with.</summary>
    public CmOptions Options => _options;

    /// <inheritdoc />
    public int ExternalInputs => _ext.Length;

    /// <summary>The mixer's output (stretched, ±2047) behind the last prediction, before the APM stages.</summary>
    internal int MixerStretch => _mixSt;

    /// <inheritdoc />
    public long MemoryBytes =>
        _table.MemoryBytes + _directBuf.Bytes + _smBuf.Bytes + _ptrBuf.Bytes + _match.MemoryBytes + (_image is null ? 0 : ImageModel.MemoryBytes) + (_run?.MemoryBytes ?? 0) + _mixer.MemoryBytes
        + _apm0.MemoryBytes + (_apm1?.MemoryBytes ?? 0) + (_apm2?.MemoryBytes ?? 0) + ContextState.MemoryBytes(ContextState.NeedsMoreIndirect(_contexts));

    /// <summary>Mixer kernel path (tests compare the scalar reference with each SIMD width; default: widest).</summary>
    internal MixerKernels.Path KernelPath
    {
        get => _mixer.KernelPath;
        set => _mixer.KernelPath = MixerKernels.Resolve(value);
    }

    /// <inheritdoc />
    public int P() => _pr;

    /// <inheritdoc />
    public void Update(int bit) => Step(bit);

    /// <summary>Learns <paramref name="bit"/> and returns the prediction of the next bit (also kept for <see cref="P"/>).</summary>
    private int Step(int bit)
    {
        // 1. The new partial byte; at a nibble or byte end the next contexts' buckets and, always, the next APM
        //    rows are requested from memory first, so the loads overlap with the updates below.
        int c0 = (_c0 << 1) | bit;
        int bp = _bitPos + 1;
        _match.Update(bit);
        if (bp == 8)
        {
            int c = c0 & 255;
            _match.ByteUpdate(c);
            _cs.ByteUpdate(c, _match);
            _run?.ByteUpdate(c);
            _cs.Compute(_contexts, _hash, _match);
            _run?.Lookup(_hash);
            c0 = 1;
            bp = 0;
            Request(0);
        }
        else if (bp == 4)
        {
            Request((uint)c0 * 0x9E3779B1u);
        }
        PrefetchApms(c0);

        // 2. Update the models with the coded bit.
        _mixer.Update(bit);
        _apm0.Update(bit);
        _apm1?.Update(bit);
        _apm2?.Update(bit);
        _image?.Update(bit);
        _run?.Update(bit);
        var next = CmTables.Next;
        for (int i = 0; i < _n; i++)
        {
            byte* sp = _sp[i];
            StateMap.UpdateEntry(_ep[i], bit, StateMapLimit);
            *sp = next[*sp * 2 + bit];
        }

        // 3. Claim the hash slots of the new nibble, then predict the next bit.
        _c0 = c0;
        _bitPos = bp;
        if (bp == 0)
        {
            _slot[0] = _order0;
            _slot[1] = _order1 + (_cs.C1 << 8);
            Claim();
        }
        else if (bp == 4)
        {
            Claim();
        }
        return _pr = Predict();
    }

    /// <summary>Encodes <paramref name="data"/> with <paramref name="coder"/> (the same steps as P/Update per bit, without interface calls).</summary>
    internal void Encode(ArithmeticEncoder coder, ReadOnlySpan<byte> data)
    {
        int pr = _pr;
        foreach (byte b in data)
        {
            for (int k = 7; k >= 0; k--)
            {
                int bit = (b >> k) & 1;
                coder.Code(bit, pr);
                pr = Step(bit);
            }
        }
    }

    /// <summary>Decodes <paramref name="data"/>.Length bytes with <paramref name="coder"/> into <paramref name="data"/>.</summary>
    internal void Decode(ArithmeticDecoder coder, Span<byte> data)
    {
        int pr = _pr;
        for (int i = 0; i < data.Length; i++)
        {
            int c = 1;
            do
            {
                int bit = coder.Code(0, pr);
                pr = Step(bit);
                c = (c << 1) | bit;
            }
            while (c < 256);
            data[i] = (byte)c;
        }
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
    public IByteModel Clone() => new CmModel(this);

    /// <inheritdoc />
    void IRestorableModel.RestoreFrom(IByteModel source)
    {
        if (source is not CmModel o || !Equals(o._options, _options))
        {
            throw new ArgumentException("not a cm model of the same configuration", nameof(source));
        }
        _table.CopyFrom(o._table);
        _directBuf.CopyFrom(o._directBuf);
        _smBuf.CopyFrom(o._smBuf);
        o._hash.CopyTo(_hash, 0);
        _match.CopyFrom(o._match);
        _image?.CopyFrom(o._image!);
        _run?.CopyFrom(o._run!);
        _mixer.CopyFrom(o._mixer);
        _apm0.CopyFrom(o._apm0);
        _apm1?.CopyFrom(o._apm1!);
        _apm2?.CopyFrom(o._apm2!);
        _cs.CopyFrom(o._cs);
        _ptrBuf.CopyFrom(o._ptrBuf);
        CopyPositionFrom(o);
        GC.KeepAlive(o);
    }

    private void ByteStart()
    {
        _cs.Compute(_contexts, _hash, _match);
        _run?.Lookup(_hash);
        Request(0);
        _slot[0] = _order0;
        _slot[1] = _order1 + (_cs.C1 << 8);
        Claim();
    }

    /// <summary>Computes the nibble hashes of the hashed contexts (salted by the first nibble at bit 4) and prefetches their buckets.</summary>
    private void Request(uint salt)
    {
        var t = _table;
        uint* h2 = _nibbleHash;
        for (int i = 0; i < _nh; i++)
        {
            uint h = _hash[i];
            if (salt != 0)
            {
                h = (h ^ salt) * 0x85EBCA6Bu;
                h ^= h >> 15;
            }
            h2[i] = h;
            t.Prefetch(h);
        }
    }

    /// <summary>Finds or claims the slots requested by <see cref="Request"/>.</summary>
    private void Claim()
    {
        var t = _table;
        uint* h2 = _nibbleHash;
        byte** slot = _slot + Direct;
        for (int i = 0; i < _nh; i++)
        {
            slot[i] = t.Find(h2[i]);
        }
    }

    private void PrefetchApms(int c0)
    {
        uint c4 = _cs.C4;
        _apm1?.Prefetch(c0 | (int)((c4 & 255) << 8));
        _apm2?.Prefetch(Apm2Context(c4, c0));
    }

    /// <summary>Match length class: 0 none, 1 under 15 bytes, 2 under 40, 3 longer.</summary>
    private static int MatchClass(int bucket) => bucket == 0 ? 0 : bucket < 8 ? 1 : bucket < 11 ? 2 : 3;

    /// <summary>The order of the Order* selectors: known contexts among the first five (0–5) without a match, else 5 + match length class (6–8).</summary>
    private int Order(int known) => _match.Length > 0 ? 5 + MatchClass(_match.LengthBucket) : Math.Min(known, 5);

    /// <summary>
    /// Character class of a byte: 0 lower-case letter, 1 upper-case letter, 2 digit, 3 space, 4 line feed, 5 other
    /// control byte, 6 byte ≥ 128, 7 punctuation and the rest of ASCII.
    /// </summary>
    internal static int CharClass(int c) =>
        c >= 'a' && c <= 'z' ? 0 : c >= 'A' && c <= 'Z' ? 1 : c >= '0' && c <= '9' ? 2 : c == ' ' ? 3 : c == '\n' ? 4 : c < 32 ? 5 : c >= 128 ? 6 : 7;

    private static int Apm2Context(uint c4, int c0) => (int)(((c4 & 0xFFFF) * 0x2F0F3A4Bu) >> 16) ^ c0;

    private int Predict()
    {
        var m = _mixer;
        int bp = _bitPos;
        int c0 = _c0;
        int j = bp < 4 ? c0 : (c0 & ((1 << (bp - 4)) - 1)) | (1 << (bp - 4));
        var stretch = CmTables.Stretch;
        short* x = m.Next;
        int known = 0;

        // Direct orders 0 and 1: the node is the partial byte.
        for (int i = 0; i < Direct; i++)
        {
            byte* sp = _slot[i] + c0;
            _sp[i] = sp;
            int s = *sp;
            uint* e = _sm + (i << 8) + s;
            _ep[i] = e;
            x[i] = s == 0 ? (short)0 : stretch[*e >> 20];
        }
        // Hashed contexts: the node within the nibble. Branch-free: a never-seen state (0) gives input 0, and the
        // first five count toward the Known selector.
        int first = Math.Min(_n, Direct + 5);
        for (int i = Direct; i < _n; i++)
        {
            byte* sp = _slot[i] + j;
            _sp[i] = sp;
            int s = *sp;
            uint* e = _sm + (i << 8) + s;
            _ep[i] = e;
            int seen = (int)((uint)-s >> 31);
            x[i] = (short)(stretch[*e >> 20] & -seen);
            known += i < first ? seen : 0;
        }
        m.Advance(_n);
        _match.Predict(m, c0, bp);
        _image?.Predict(m, _match.Buffer, _match.BufferMask, _match.Position, _cs.RecordLength, c0, _cs.C1, bp);
        _run?.Predict(m, c0, bp);
        m.Add(256);
        foreach (int e in _ext)
        {
            m.Add(e);
        }

        var sel = _profile.Selectors;
        uint c4 = _cs.C4;
        for (int s = 0; s < sel.Length; s++)
        {
            m.Select(s, sel[s] switch
            {
                CmSelector.Partial => c0,
                CmSelector.MatchBit => _match.LengthBucket * 8 + bp,
                CmSelector.Byte1 => (int)(c4 & 255),
                CmSelector.Byte2 => (int)((c4 >> 8) & 255),
                CmSelector.Byte3 => (int)((c4 >> 16) & 255),
                CmSelector.Known => Math.Min(known, 7) * 8 + bp,
                CmSelector.MatchByte => _match.Length > 0 ? _match.ExpectedByte : 0,
                CmSelector.PartialMatch => c0 | (MatchClass(_match.LengthBucket) << 8),
                CmSelector.OrderByte1 => Order(known) * 8 + (int)((c4 & 255) >> 5),
                CmSelector.OrderPartial => Order(known) * 256 + (_match.Length > 0 ? bp : c0),
                CmSelector.Image => _image?.Selector ?? 0,
                CmSelector.CharClasses => ((CharClass((int)(c4 & 255)) << 6) | (CharClass((int)((c4 >> 8) & 255)) << 3) | CharClass((int)((c4 >> 16) & 255))) * 8 + bp,
                CmSelector.Byte1Partial => (int)((c4 & 255) << 8) | c0,
                CmSelector.WordHash => (int)((_cs.Word0 * 0x9E3779B1u) >> 20),
                CmSelector.CharClassesPartial => (((CharClass((int)(c4 & 255)) << 3) | CharClass((int)((c4 >> 8) & 255))) << 8) | c0,
                CmSelector.Bytes2Partial => (int)((((c4 & 0xFFFF) * 0x9E3779B1u) >> 24) << 8) | c0,
                CmSelector.ColumnPartial => ((int)Math.Min((uint)_cs.Column, 63u) << 8) | c0,
                _ => (int)(((c4 >> 4) & 15) | ((c4 >> 8) & 0xF0)),
            });
        }
        if (_options.ExternalContexts > 0)
        {
            m.Select(sel.Length, _extContext);
        }
        m.SelectFinal(_profile.Final == CmFinalSelector.OrderBit ? Order(known) * 8 + bp : bp);
        int st = m.Mix();
        _mixSt = st;

        int c1 = (int)(c4 & 255);
        if (_apm1 == null)
        {
            // One APM (level 1 from revision 6): c0 × the previous byte's character class, three quarters of the mix.
            int a = _apm0.P(st, c0 | (CharClass(c1) << 8));
            return Probability.Clamp((m.P12 * 16 + a * 3 + 2) >> 2);
        }
        int a0 = _apm0.P(st, c0);
        int a1 = _apm1.P(st, c0 | (c1 << 8));
        int p16;
        if (_apm2 != null)
        {
            int a2 = _apm2.P(st, Apm2Context(c4, c0));
            p16 = (m.P12 * 16 + a0 + a1 + a2) >> 2;
        }
        else
        {
            p16 = (m.P12 * 16 + a0 + a1 * 2 + 2) >> 2;
        }
        return Probability.Clamp(p16);
    }
}
