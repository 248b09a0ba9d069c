using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;

namespace Kolmo.Neural;

/// <summary>
/// Neural checkpoint file (all integers little-endian; layout documented in docs/NEURAL.md, "Neural checkpoint"):
/// <code>
/// magic "KOLMONN1" (8) | u16 version = 1 | u16 kind (1 gpt, 2 lstm) | u16 nconfig | i32 config[nconfig]
/// | i64 stepsTrained | u32 ntensors | per tensor: u8 nameLen, name (ASCII), u8 rank, i32 dims[rank]
/// | float32 data of every tensor in table order | u64 xxHash64 (seed 0) of all preceding bytes
/// </code>
/// A file whose checksum, magic, version, configuration or tensor table does not match is rejected with
/// <see cref="InvalidDataException"/>.
/// </summary>
internal static class Checkpoint
{
    private static ReadOnlySpan<byte> Magic => "KOLMONN1"u8;

    public const ushort Version = 1;

    public static void Write(SequenceModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, Encoding.ASCII, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write((ushort)(model is Gpt ? 1 : 2));
            int[] cfg = model.ConfigInts();
            w.Write((ushort)cfg.Length);
            foreach (int c in cfg)
            {
                w.Write(c);
            }
            w.Write(model.StepsTrained);
            var ts = model.Parameters.Tensors;
            w.Write((uint)ts.Count);
            foreach (var t in ts)
            {
                w.Write((byte)t.Name.Length);
                w.Write(Encoding.ASCII.GetBytes(t.Name));
                w.Write((byte)t.Shape.Length);
                foreach (int d in t.Shape)
                {
                    w.Write(d);
                }
            }
            var values = model.Parameters.Values;
            var buf = new byte[4 * 4096];
            for (int i = 0; i < values.Length; i += 4096)
            {
                int n = Math.Min(4096, values.Length - i);
                for (int j = 0; j < n; j++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(buf.AsSpan(4 * j), values[i + j]);
                }
                w.Write(buf, 0, 4 * n);
            }
        }
        ulong hash = XxHash64.HashToUInt64(ms.GetBuffer().AsSpan(0, (int)ms.Length));
        Span<byte> h = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(h, hash);
        ms.Write(h);
        stream.Write(ms.GetBuffer(), 0, (int)ms.Length);
    }

    public static SequenceModel Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] data;
        using (var ms = new MemoryStream())
        {
            stream.CopyTo(ms);
            data = ms.ToArray();
        }
        if (data.Length < Magic.Length + 8 || !data.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new InvalidDataException("not a Kolmo neural checkpoint (bad magic)");
        }
        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(data.AsSpan(data.Length - 8));
        if (XxHash64.HashToUInt64(data.AsSpan(0, data.Length - 8)) != stored)
        {
            throw new InvalidDataException("neural checkpoint is corrupt or truncated (checksum mismatch)");
        }
        var body = data.AsSpan(0, data.Length - 8);
        int pos = Magic.Length;
        ushort version = ReadU16(body, ref pos);
        if (version != Version)
        {
            throw new InvalidDataException($"neural checkpoint version {version} is not supported (expected {Version})");
        }
        ushort kind = ReadU16(body, ref pos);
        int ncfg = ReadU16(body, ref pos);
        if (ncfg > 64)
        {
            throw new InvalidDataException("neural checkpoint: configuration block too long");
        }
        int[] cfg = new int[ncfg];
        for (int i = 0; i < ncfg; i++)
        {
            cfg[i] = ReadI32(body, ref pos);
        }
        long steps = ReadI64(body, ref pos);
        // The configuration comes from outside: before building (allocating) the model, check that the file can hold
        // its weights at all — a lower bound on the parameter count, 4 bytes each — so a few crafted bytes cannot ask
        // for gigabytes.
        double minFloats = kind switch
        {
            1 when ncfg == 6 => ((double)cfg[0] * cfg[3]) + (12.0 * cfg[2] * cfg[3] * cfg[3]),   // V·C + 12·L·C²
            2 when ncfg == 4 => (2.0 * cfg[0] * cfg[3]) + (8.0 * cfg[2] * cfg[3] * cfg[3]),      // 2·V·H + 8·L·H²
            _ => 0,
        };
        if (4 * minFloats > body.Length - pos)
        {
            throw new InvalidDataException($"neural checkpoint: the configuration needs at least {minFloats:0} parameters, more than the file's {body.Length - pos} remaining bytes hold");
        }
        SequenceModel model = kind switch
        {
            1 => Gpt.FromConfigInts(cfg),
            2 => Lstm.FromConfigInts(cfg),
            _ => throw new InvalidDataException($"neural checkpoint: unknown model kind {kind}"),
        };
        model.StepsTrained = steps;
        var ts = model.Parameters.Tensors;
        uint count = ReadU32(body, ref pos);
        if (count != ts.Count)
        {
            throw new InvalidDataException($"neural checkpoint: {count} tensors, the configuration needs {ts.Count}");
        }
        foreach (var t in ts)
        {
            int len = Need(body, pos, 1)[0];
            pos++;
            string name = Encoding.ASCII.GetString(Need(body, pos, len));
            pos += len;
            int rank = Need(body, pos, 1)[0];
            pos++;
            bool same = name == t.Name && rank == t.Shape.Length;
            for (int i = 0; i < rank; i++)
            {
                int dim = ReadI32(body, ref pos);
                same &= i < t.Shape.Length && dim == t.Shape[i];
            }
            if (!same)
            {
                throw new InvalidDataException($"neural checkpoint: tensor '{name}' does not match the configuration (expected '{t.Name}' [{string.Join(",", t.Shape)}])");
            }
        }
        var values = model.Parameters.Values;
        if (body.Length - pos != 4L * values.Length)
        {
            throw new InvalidDataException($"neural checkpoint: {body.Length - pos} data bytes, expected {4L * values.Length}");
        }
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(body.Slice(pos + 4 * i, 4));
        }
        return model;
    }

    private static ReadOnlySpan<byte> Need(ReadOnlySpan<byte> b, int pos, int n)
    {
        if (pos < 0 || n < 0 || pos + (long)n > b.Length)
        {
            throw new InvalidDataException("neural checkpoint is truncated");
        }
        return b.Slice(pos, n);
    }

    private static ushort ReadU16(ReadOnlySpan<byte> b, ref int pos)
    {
        var v = BinaryPrimitives.ReadUInt16LittleEndian(Need(b, pos, 2));
        pos += 2;
        return v;
    }

    private static uint ReadU32(ReadOnlySpan<byte> b, ref int pos)
    {
        var v = BinaryPrimitives.ReadUInt32LittleEndian(Need(b, pos, 4));
        pos += 4;
        return v;
    }

    private static int ReadI32(ReadOnlySpan<byte> b, ref int pos)
    {
        var v = BinaryPrimitives.ReadInt32LittleEndian(Need(b, pos, 4));
        pos += 4;
        return v;
    }

    private static long ReadI64(ReadOnlySpan<byte> b, ref int pos)
    {
        var v = BinaryPrimitives.ReadInt64LittleEndian(Need(b, pos, 8));
        pos += 8;
        return v;
    }
}
