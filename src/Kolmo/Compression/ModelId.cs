namespace Kolmo.Compression;

/// <summary>Model identifiers stored in the <c>.kolmo</c> container (docs/FORMAT.md). Values are part of the format: never renumber.</summary>
public enum ModelId : byte
{
    /// <summary>Adaptive order-0–3 byte model with a logistic mixer (small and fast).</summary>
    Order3 = 1,

    /// <summary>The paq-class context-mixing model.</summary>
    Cm = 2,

    /// <summary>An online-trained neural network (LSTM/GPT), prequential coding.</summary>
    Nn = 3,

    /// <summary>Context mixing with a neural network's prediction among the mixer inputs.</summary>
    CmNn = 4,
}
