namespace OnnxLowRank.Core.Allocation;

/// <summary>One layer as an allocator sees it: no ONNX, only sizes and spectra.</summary>
/// <param name="Name">The node name, used in results and messages.</param>
/// <param name="FullSize">Weights of the layer as it stands: g * f_g * c_g * prod(kernel).</param>
/// <param name="CostPerParameter">
/// 1 for a parameter budget; the layer's output positions for a FLOP budget.
/// </param>
/// <param name="Options">
/// The slicing choices that may be used (k = 1 for plain SVD). A layer with no options always
/// stays whole and counts at full size.
/// </param>
public sealed record AllocationLayer(
    string Name,
    long FullSize,
    double CostPerParameter,
    IReadOnlyList<SliceOption> Options)
{
    /// <summary>The layer's cost when left whole.</summary>
    public double FullCost => FullSize * CostPerParameter;

    internal void Validate()
    {
        if (FullSize < 1)
            throw new ArgumentException($"Layer '{Name}': full size must be positive, got {FullSize}.");
        if (double.IsNaN(CostPerParameter) || double.IsInfinity(CostPerParameter) || CostPerParameter <= 0)
            throw new ArgumentException($"Layer '{Name}': cost per parameter must be positive and finite, got {CostPerParameter}.");
        foreach (var option in Options) option.Validate(Name, FullSize);
    }
}
