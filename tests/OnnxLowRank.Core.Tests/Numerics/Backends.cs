using OnnxLowRank.Core.Numerics;

namespace OnnxLowRank.Core.Tests.Numerics;

/// <summary>The two backends under test, by name, so each test runs against each explicitly.</summary>
internal static class Backends
{
    public const string OpenBlas = "openblas";
    public const string Managed = "managed";

    public static readonly string[] Names = [OpenBlas, Managed];

    /// <summary>
    /// The named backend. OpenBLAS missing on Linux is a failure (CI installs libopenblas0-pthread); elsewhere it
    /// may legitimately be absent.
    /// </summary>
    public static ILinearAlgebraBackend Get(string name)
    {
        if (name == Managed)
            return LinearAlgebra.Managed;
        if (LinearAlgebra.OpenBlas is { } openBlas)
            return openBlas;
        if (OperatingSystem.IsLinux())
            Assert.Fail($"OpenBLAS could not be loaded: {LinearAlgebra.OpenBlasFailure}");
        Assert.Ignore($"OpenBLAS is not installed on this OS: {LinearAlgebra.OpenBlasFailure}");
        throw new InvalidOperationException("unreachable");
    }
}
