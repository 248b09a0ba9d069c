namespace Kolmo.Modeling;

/// <summary>A byte model whose mixer takes extra inputs from outside each bit (cm+nn feeds a network's predictions into cm).</summary>
internal interface IExternalInputs
{
    /// <summary>Number of extra inputs the model was built with (0: none).</summary>
    int ExternalInputs { get; }

    /// <summary>Sets the extra inputs (stretched, ±2047) and the extra weight set's selector for the next prediction.</summary>
    void SetExternal(ReadOnlySpan<int> stretched, int context);
}
