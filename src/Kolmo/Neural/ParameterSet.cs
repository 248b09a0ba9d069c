using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Kolmo.Neural;

/// <summary>One named tensor inside a <see cref="ParameterSet"/>.</summary>
/// <param name="Name">Stable name, e.g. <c>h0.attn.qkv.w</c>; used by checkpoints.</param>
/// <param name="Shape">Dimensions, outermost first (weights are stored [in, out]).</param>
/// <param name="Offset">Start of the tensor in <see cref="ParameterSet.Values"/>.</param>
/// <param name="Decay">Whether AdamW applies weight decay to it (matrices and embeddings, not biases/norms).</param>
public sealed record ParameterInfo(string Name, int[] Shape, long Offset, bool Decay)
{
    /// <summary>Number of elements.</summary>
    public long Length
    {
        get
        {
            long n = 1;
            foreach (int d in Shape)
            {
                n *= d;
            }
            return n;
        }
    }
}

/// <summary>
/// All parameters of a model in one contiguous pinned float32 buffer (as in llm.c), with a gradient buffer of
/// the same size. Optimisers, clipping and checkpoints work on the flat buffers; models address tensors by offset.
/// </summary>
public sealed class ParameterSet
{
    private readonly List<ParameterInfo> _tensors = [];
    private float[] _values = [];
    private float[] _grads = [];

    /// <summary>The tensors in declaration order.</summary>
    public IReadOnlyList<ParameterInfo> Tensors => _tensors;

    /// <summary>Total number of parameters.</summary>
    public long Count { get; private set; }

    /// <summary>All parameter values (flat).</summary>
    public float[] Values => _values;

    /// <summary>All gradients (flat), same layout as <see cref="Values"/>.</summary>
    public float[] Grads
    {
        get
        {
            _gradsZero = false;   // the caller may write them
            return _grads;
        }
    }

    // true while the gradients are known to be all zero (after ZeroGrad or a Trainer update), so ZeroGrad can skip its pass
    private bool _gradsZero;

    internal ParameterInfo Add(string name, bool decay, params int[] shape)
    {
        var p = new ParameterInfo(name, shape, Count, decay);
        _tensors.Add(p);
        Count += p.Length;
        return p;
    }

    internal void Allocate()
    {
        _values = GC.AllocateArray<float>((int)Count, pinned: true);
        _grads = GC.AllocateArray<float>((int)Count, pinned: true);
    }

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor.</exception>
    public ParameterInfo this[string name] => _tensors.Find(t => t.Name == name) ?? throw new KeyNotFoundException(name);

    /// <summary>Values of one tensor.</summary>
    public Span<float> Value(ParameterInfo p) => _values.AsSpan((int)p.Offset, (int)p.Length);

    /// <summary>Gradient of one tensor.</summary>
    public Span<float> Grad(ParameterInfo p)
    {
        _gradsZero = false;
        return _grads.AsSpan((int)p.Offset, (int)p.Length);
    }

    /// <summary>Sets all gradients to zero.</summary>
    public void ZeroGrad()
    {
        if (!_gradsZero)
        {
            Array.Clear(_grads);
            _gradsZero = true;
        }
    }

    /// <summary>Records that an optimiser pass has just zeroed every gradient.</summary>
    internal void MarkGradsZero() => _gradsZero = true;

    internal unsafe float* ValuePtr(ParameterInfo p) => Pin.Ptr(_values) + p.Offset;

    internal unsafe float* GradPtr(ParameterInfo p)
    {
        _gradsZero = false;
        return Pin.Ptr(_grads) + p.Offset;
    }
}

/// <summary>Pointers into pinned (POH) arrays.</summary>
internal static unsafe class Pin
{
    public static float* Ptr(float[] pinned) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));

    public static int* Ptr(int[] pinned) => (int*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
}
