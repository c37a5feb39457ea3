namespace OnnxLowRank.Core.Numerics;

/// <summary>
/// Picks the dense backend: OpenBLAS when its library loads, else the managed MathNet one. The environment variable
/// ONNXLOWRANK_LINALG = managed | openblas forces a choice (for tests and benchmarks); forcing openblas where it
/// cannot load is an error, not a silent fallback.
/// </summary>
public static class LinearAlgebra
{
    public const string SelectionVariable = "ONNXLOWRANK_LINALG";

    private static readonly Lazy<(OpenBlasLinearAlgebra? Backend, string? Failure)> OpenBlasLoad = new(() =>
    {
        var backend = OpenBlasLinearAlgebra.TryCreate(out var failure);
        return (backend, failure);
    });

    private static readonly Lazy<ILinearAlgebraBackend> Selected = new(Select);

    /// <summary>The managed backend, always available.</summary>
    public static ManagedLinearAlgebra Managed { get; } = new();

    /// <summary>The OpenBLAS backend, or null when the library cannot be loaded (see <see cref="OpenBlasFailure"/>).</summary>
    public static OpenBlasLinearAlgebra? OpenBlas => OpenBlasLoad.Value.Backend;

    /// <summary>Why OpenBLAS could not be loaded; null when it was.</summary>
    public static string? OpenBlasFailure => OpenBlasLoad.Value.Failure;

    /// <summary>The backend every numerics entry point uses unless given one.</summary>
    public static ILinearAlgebraBackend Default => Selected.Value;

    private static ILinearAlgebraBackend Select()
    {
        var choice = Environment.GetEnvironmentVariable(SelectionVariable)?.Trim().ToLowerInvariant();
        return choice switch
        {
            null or "" => OpenBlas ?? (ILinearAlgebraBackend)Managed,
            "managed" => Managed,
            "openblas" => OpenBlas ?? throw new InvalidOperationException(
                $"{SelectionVariable}=openblas, but OpenBLAS is unavailable: {OpenBlasFailure}"),
            _ => throw new InvalidOperationException($"{SelectionVariable} must be 'managed' or 'openblas', not '{choice}'."),
        };
    }
}
