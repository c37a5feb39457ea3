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
    /// The allocator for a user's choice: auto means global-energy when calibration data is given
    /// (its spectra are whitened, where it measures best), else alds.
    /// </summary>
    public static IRankAllocator Resolve(string name, bool hasCalibrationData)
    {
        if (string.Equals(name, Auto, StringComparison.OrdinalIgnoreCase))
            name = hasCalibrationData ? GlobalEnergyAllocator.RegistryName : AldsAllocator.RegistryName;
        return Find(name) ?? throw new ArgumentException(
            $"Unknown allocator '{name}'; known: {Auto}, {string.Join(", ", Names)}.", nameof(name));
    }
}
