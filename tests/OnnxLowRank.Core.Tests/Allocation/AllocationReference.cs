using OnnxLowRank.Core.Allocation;

namespace OnnxLowRank.Core.Tests.Allocation;

/// <summary>
/// The definitions of ALGORITHMS.md sections 2 and 3, written out again for the tests, independent of
/// the allocator code: pair size, error bound, and which choices the settings allow.
/// </summary>
internal static class AllocationReference
{
    public readonly record struct Choice(int SliceCount, int Rank, long Size, double Cost, double Error);

    /// <summary>Per original group j * (k * f_g + c_g * prod(kernel)), with c_g * prod(kernel) = k * slice columns.</summary>
    public static long PairSize(SliceOption option, int rank) =>
        option.Groups * (long)rank * (option.SliceCount * option.OutputsPerGroup + option.SliceCount * option.SliceInputs);

    /// <summary>max over groups of sqrt(sum over slices of sigma_{j+1}^2), over the weight's norm.</summary>
    public static double ErrorBound(SliceOption option, int rank)
    {
        var perGroup = new List<double>();
        for (var g = 0; g < option.Groups; g++)
        {
            var sum = 0.0;
            for (var i = 0; i < option.SliceCount; i++)
            {
                var s = option.BlockSpectra[g * option.SliceCount + i];
                var next = rank < s.Length ? s[rank] : 0.0;
                sum += next * next;
            }
            perGroup.Add(Math.Sqrt(sum));
        }
        return perGroup.Max() / option.NormOfWeight;
    }

    public static bool SavesEnough(AllocationLayer layer, long size, AllocationSettings settings) =>
        size < layer.FullSize && (decimal)(layer.FullSize - size) >= (decimal)settings.MinimumSaving * layer.FullSize;

    /// <summary>Whole first, then every (k, j) the settings allow, j a multiple of the layer's rank step.</summary>
    public static List<Choice> Choices(AllocationLayer layer, AllocationSettings settings)
    {
        var choices = new List<Choice> { new(0, 0, layer.FullSize, layer.FullSize * layer.CostPerParameter, 0) };
        foreach (var option in layer.Options.Where(o => o.SliceCount <= settings.MaxSliceCount))
            for (var rank = settings.MinimumRank; rank <= Math.Min(option.OutputsPerGroup, option.SliceInputs); rank++)
            {
                var size = PairSize(option, rank);
                if (rank % layer.RankStep == 0 && SavesEnough(layer, size, settings))
                    choices.Add(new Choice(option.SliceCount, rank, size, size * layer.CostPerParameter, ErrorBound(option, rank)));
            }
        return choices;
    }

    public static double TotalCost(IReadOnlyList<AllocationLayer> layers) => layers.Sum(l => l.FullSize * l.CostPerParameter);

    /// <summary>Checks one result against the definitions and returns its kept cost, summed here.</summary>
    public static double CheckedKeptCost(IReadOnlyList<AllocationLayer> layers, AllocationResult result, AllocationSettings settings)
    {
        Assert.That(result.Layers, Has.Count.EqualTo(layers.Count));
        var kept = 0.0;
        for (var i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var got = result.Layers[i];
            Assert.That(got.Name, Is.EqualTo(layer.Name));
            if (got.IsWhole)
            {
                Assert.That(got.Size, Is.EqualTo(layer.FullSize));
                Assert.That(got.ErrorBound, Is.Zero);
            }
            else
            {
                Assert.That(got.SliceCount, Is.LessThanOrEqualTo(settings.MaxSliceCount));
                Assert.That(got.Rank, Is.GreaterThanOrEqualTo(settings.MinimumRank));
                Assert.That(got.Rank % layer.RankStep, Is.Zero, $"{layer.Name}: rank {got.Rank} is off its grid of {layer.RankStep}");
                var option = layer.Options.Single(o => o.SliceCount == got.SliceCount);
                Assert.That(got.Rank, Is.LessThanOrEqualTo(Math.Min(option.OutputsPerGroup, option.SliceInputs)));
                Assert.That(got.Size, Is.EqualTo(PairSize(option, got.Rank)));
                Assert.That(SavesEnough(layer, got.Size, settings), $"{layer.Name}: k={got.SliceCount} j={got.Rank} saves less than the minimum");
                Assert.That(got.ErrorBound, Is.EqualTo(ErrorBound(option, got.Rank)).Within(1e-12));
            }
            kept += got.Size * layer.CostPerParameter;
        }
        return kept;
    }
}
