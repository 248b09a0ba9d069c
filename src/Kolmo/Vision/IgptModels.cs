namespace Kolmo.Vision;

/// <summary>Creates the transformers of the iGPT experiment on the neural engine.</summary>
public static class IgptModels
{
    /// <summary>A GPT of <paramref name="size"/> for <paramref name="objective"/> over sequences of <paramref name="context"/> tokens.</summary>
    /// <exception cref="NotSupportedException">Always, until the neural engine (issue 5) is merged.</exception>
    public static ITokenTransformer Create(ModelSize size, PixelObjective objective, int context, IgptOptions options)
        => throw new NotSupportedException("the neural engine (issue 5) is not merged into this build yet.");
}
