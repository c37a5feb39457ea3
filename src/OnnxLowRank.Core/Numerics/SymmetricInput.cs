namespace OnnxLowRank.Core.Numerics;

/// <summary>Argument checks shared by the eigen-solvers.</summary>
internal static class SymmetricInput
{
    public static void Check(int n, double[] symmetricRowMajor)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentNullException.ThrowIfNull(symmetricRowMajor);
        if (symmetricRowMajor.Length != (long)n * n)
            throw new ArgumentException($"A {n} x {n} matrix needs {(long)n * n} values, got {symmetricRowMajor.Length}.", nameof(symmetricRowMajor));
    }
}
