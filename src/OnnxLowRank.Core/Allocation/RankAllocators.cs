namespace OnnxLowRank.Core.Allocation;

/// <summary>Every allocator by name; an explicit list, no discovery.</summary>
public static class RankAllocators
{
    /// <summary>The name that picks global-energy with calibration data and alds without.</summary>
    public const string Auto = "auto";

    /// <summary>Every allocator, in registry order.</summary>
    public static IReadOnlyList<IRankAllocator> All { get; } =
    [
        new AldsAllocator(),
        new GlobalEnergyAllocator(),
        new SvdEnergyAllocator(),
        new ArsvdAllocator(),
        new UniformAllocator(),
        new SensitivityAllocator(),
    ];

    /// <summary>The registered names, in registry order (auto not included).</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(a => a.Name).ToArray();

    /// <summary>The allocator with this name, or null.</summary>
    public static IRankAllocator? Find(string name) =>
        All.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The allocator for a user's choice: auto means sensitivity when calibration data is given and every layer's damage was
    /// measured (it lost less than global-energy on the reference CNNs on average and far less on all-MiniLM-L6-v2;
    /// docs/benchmarks.md), global-energy on whitened spectra when calibration data is given but sensitivity was not
    /// measured (layers inside subgraphs, weights kept on disk), else alds.
    /// </summary>
    public static IRankAllocator Resolve(string name, bool hasCalibrationData, bool measuredSensitivity = false)
    {
        if (string.Equals(name, Auto, StringComparison.OrdinalIgnoreCase))
        {
            name = !hasCalibrationData ? AldsAllocator.RegistryName
                : measuredSensitivity ? SensitivityAllocator.RegistryName
                : GlobalEnergyAllocator.RegistryName;
        }
        return Find(name) ?? throw new ArgumentException(
            $"Unknown allocator '{name}'; known: {Auto}, {string.Join(", ", Names)}.", nameof(name));
    }
}
