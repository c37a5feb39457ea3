namespace OnnxLowRank.Core.Layers;

/// <summary>
/// The shape of a layer's weight seen as matrices (ALGORITHMS.md sections 1 and 2): each of the
/// <see cref="Groups"/> groups is an f_g x (c_g * prod(kernel)) matrix, and channel slicing cuts
/// each group's c_g input channels into k contiguous slices. Gemm and MatMul are the case g = 1
/// with an empty kernel.
/// </summary>
public sealed class WeightGeometry
{
    private readonly int[] _kernel;

    public WeightGeometry(int outputChannels, int inputChannels, int groups, IReadOnlyList<int> kernelShape)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outputChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(groups, 1);
        if (outputChannels % groups != 0 || inputChannels % groups != 0)
            throw new ArgumentException($"{groups} groups do not divide {outputChannels} output and {inputChannels} input channels.", nameof(groups));
        if (kernelShape.Any(d => d < 1))
            throw new ArgumentException($"Kernel [{string.Join(",", kernelShape)}] has an empty axis.", nameof(kernelShape));
        OutputChannels = outputChannels;
        InputChannels = inputChannels;
        Groups = groups;
        _kernel = kernelShape.ToArray();
        KernelSize = checked(_kernel.Aggregate(1, (a, d) => a * d));
    }

    /// <summary>f: rows of the whole weight.</summary>
    public int OutputChannels { get; }

    /// <summary>c: input channels over all groups (for Gemm and MatMul, the input features K).</summary>
    public int InputChannels { get; }

    /// <summary>g: the Conv group count, 1 for Gemm and MatMul.</summary>
    public int Groups { get; }

    /// <summary>Spatial kernel extent (empty for Gemm and MatMul).</summary>
    public IReadOnlyList<int> KernelShape => _kernel;

    /// <summary>prod(kernel), 1 for Gemm and MatMul.</summary>
    public int KernelSize { get; }

    /// <summary>f_g = f / g: rows of one group's matrix.</summary>
    public int OutputsPerGroup => OutputChannels / Groups;

    /// <summary>c_g = c / g: input channels one group reads.</summary>
    public int InputsPerGroup => InputChannels / Groups;

    /// <summary>Columns of one group's matrix: c_g * prod(kernel).</summary>
    public int GroupColumns => InputsPerGroup * KernelSize;

    /// <summary>Parameters of the weight as it is: g * f_g * c_g * prod(kernel).</summary>
    public long OriginalParameters => (long)Groups * OutputsPerGroup * GroupColumns;

    /// <summary>Whether k slices cut every group's input channels evenly.</summary>
    public bool CanSlice(int sliceCount) => sliceCount >= 1 && InputsPerGroup % sliceCount == 0;

    /// <summary>Columns of one slice's matrix: c_g / k * prod(kernel).</summary>
    public int SliceColumns(int sliceCount)
    {
        RequireSlices(sliceCount);
        return InputsPerGroup / sliceCount * KernelSize;
    }

    /// <summary>The largest useful rank with k slices: min(f_g, c_g / k * prod(kernel)); at it the factors are exact.</summary>
    public int MaxRank(int sliceCount) => Math.Min(OutputsPerGroup, SliceColumns(sliceCount));

    /// <summary>Parameters of the factorized pair: g * j * (k * f_g + c_g * prod(kernel)).</summary>
    public long FactoredParameters(int sliceCount, int rank)
    {
        RequireSlices(sliceCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        return (long)Groups * rank * ((long)sliceCount * OutputsPerGroup + GroupColumns);
    }

    /// <summary>Whether some rank makes the pair strictly smaller; rank 1 without slicing is the smallest pair there is.</summary>
    public bool CanShrink => FactoredParameters(1, 1) < OriginalParameters;

    private void RequireSlices(int sliceCount)
    {
        if (!CanSlice(sliceCount))
            throw new ArgumentOutOfRangeException(nameof(sliceCount), sliceCount, $"{sliceCount} slices do not divide the {InputsPerGroup} input channels of a group.");
    }
}
