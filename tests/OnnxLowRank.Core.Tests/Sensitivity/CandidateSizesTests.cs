using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Sensitivity;

namespace OnnxLowRank.Core.Tests.Sensitivity;

/// <summary>The sizes a layer is measured at lie on the allocation grid, below the layer, near their fraction, at the k with the lowest bound.</summary>
public class CandidateSizesTests
{
    [TestCase(1)]
    [TestCase(16)]
    public void Sizes_lie_on_the_grid_below_the_layer_and_near_their_fraction(int convRankMultiple)
    {
        var (_, analysis) = FashionMnistCalibration.Analyse("resnet.onnx");
        foreach (var layer in analysis.Layers)
        {
            var allocation = layer.ToAllocationLayer(BudgetKind.Parameters, convRankMultiple);
            var sizes = CandidateSizes.For(layer, SensitivityOptions.DefaultFractions, AllocationSettings.Default, convRankMultiple);
            foreach (var size in sizes)
            {
                var option = allocation.Options.Single(o => o.SliceCount == size.SliceCount);
                Assert.That(size.Rank % allocation.RankStep, Is.Zero, $"{layer.Name} {size}");
                Assert.That(size.Parameters, Is.EqualTo(option.SizeAtRank(size.Rank)).And.LessThan(layer.Parameters), $"{layer.Name} {size}");
                // Nearest on the grid: within one rank step of the target.
                Assert.That(Math.Abs(size.Parameters - size.Fraction * layer.Parameters), Is.LessThanOrEqualTo(option.SizeAtRank(allocation.RankStep)), $"{layer.Name} {size}");
                // No other k reaching about the same size has a lower error bound there.
                foreach (var other in allocation.Options.Where(o => o.SliceCount != size.SliceCount && o.SliceCount <= AllocationSettings.Default.MaxSliceCount))
                {
                    var rank = (int)Math.Round(size.Fraction * layer.Parameters / other.SizeAtRank(1) / allocation.RankStep) * allocation.RankStep;
                    if (rank < allocation.RankStep || rank > other.MaxRank || other.SizeAtRank(rank) >= layer.Parameters) continue;
                    if (Math.Abs(other.SizeAtRank(rank) - size.Fraction * layer.Parameters) > option.SizeAtRank(allocation.RankStep)) continue;
                    Assert.That(option.ErrorBoundAtRank(size.Rank), Is.LessThanOrEqualTo(other.ErrorBoundAtRank(rank)), $"{layer.Name} {size} against k={other.SliceCount}, rank {rank}");
                }
            }
            if (convRankMultiple == 1)
                Assert.That(sizes.Select(s => s.Fraction), Is.SupersetOf(SensitivityOptions.TableFractions), $"{layer.Name} has the table's sizes");
        }
    }
}
