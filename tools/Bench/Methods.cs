namespace OnnxLowRank.Bench;

/// <summary>The allocators the bench compares, by their CLI names.</summary>
internal static class Methods
{
    public const string Alds = "alds";

    /// <summary>The default; with calibration data it is global-energy on whitened spectra.</summary>
    public const string Auto = "auto";

    /// <summary>Every allocator the compress command offers besides auto.</summary>
    public static readonly IReadOnlyList<string> All = [Alds, "global-energy", "svd-energy", "arsvd", "uniform"];

    /// <summary>The weight-only allocators of issue #7's quality curves.</summary>
    public static readonly IReadOnlyList<string> Swept = [Alds, "svd-energy", "arsvd", "uniform"];
}
