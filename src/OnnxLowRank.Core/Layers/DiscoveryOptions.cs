namespace OnnxLowRank.Core.Layers;

/// <summary>What <see cref="LayerDiscovery"/> may treat as compressible.</summary>
public sealed record DiscoveryOptions
{
    /// <summary>
    /// Older exporters list every initializer as a graph input too, so a caller could override it.
    /// When set, such weights count as constants, and a compressor removes the inputs of the weights it
    /// replaces from graph.input (other inputs stay, so the model's interface changes no more than needed).
    /// </summary>
    public bool RemoveInitializerInputs { get; init; }

    /// <summary>Layer names (see <see cref="LayerNames"/>) to leave alone.</summary>
    public IReadOnlySet<string> ExcludedNodes { get; init; } = new HashSet<string>();
}
