using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Core.Tests.Pipeline;

/// <summary>
/// The job resolved from the options: the allocator by what it can do, not by its name, and every combination
/// that cannot run refused with a typed usage error before any analysis.
/// </summary>
public class CompressionJobTests
{
    [Test]
    public void AllocatorsDeclareWhatTheyCanDo()
    {
        Assert.That(RankAllocators.All.Where(a => a.NeedsBudget).Select(a => a.Name), Is.EqualTo(new[] { "alds", "global-energy", "svd-energy", "uniform", "sensitivity" }));
        Assert.That(RankAllocators.All.Where(a => a.UsesSlices).Select(a => a.Name), Is.EqualTo(new[] { "alds" }));
        Assert.That(RankAllocators.All.Where(a => a.NeedsMeasuredDamage).Select(a => a.Name), Is.EqualTo(new[] { "sensitivity" }));
    }

    [TestCase(false, BudgetKind.Parameters, "alds")]
    [TestCase(true, BudgetKind.Parameters, "global-energy")]
    [TestCase(false, BudgetKind.Energy, "arsvd")]
    [TestCase(true, BudgetKind.Energy, "arsvd")]
    public void AutoResolvesByCalibrationDataAndBudget(bool calibrated, BudgetKind budget, string expected)
    {
        var job = CompressionJob.Resolve(new PipelineOptions { Budget = budget }, calibrated, timed: false);
        Assert.That(job.Allocator.Name, Is.EqualTo(expected));
    }

    [TestCase("alds")]
    [TestCase("global-energy")]
    [TestCase("svd-energy")]
    [TestCase("uniform")]
    public void AnEnergyThresholdForAnAllocatorThatNeedsABudgetIsAUsageError(string method)
    {
        var thrown = Assert.Throws<InvalidOptionsException>(() => CompressionJob.Resolve(new PipelineOptions { Method = method, Budget = BudgetKind.Energy, EnergyThreshold = 0.9 }))!;
        Assert.That(thrown.Message, Does.Contain($"'{method}'"));
        Assert.That(thrown.Advice, Does.Contain("--method arsvd"));
    }

    [TestCase(BudgetKind.Parameters, 0.0, "--keep-params")]
    [TestCase(BudgetKind.Flops, -1.0, "--keep-flops")]
    [TestCase(BudgetKind.Latency, 1.5, "--keep-latency")]
    [TestCase(BudgetKind.Parameters, double.NaN, "--keep-params")]
    public void AKeepFractionOutsideZeroToOneIsAUsageError(BudgetKind budget, double keep, string option)
    {
        var thrown = Assert.Throws<InvalidOptionsException>(() => CompressionJob.Resolve(new PipelineOptions { Budget = budget, KeepFraction = keep }))!;
        Assert.That(thrown.Advice, Does.Contain(option));
    }

    [TestCase(0.0)]
    [TestCase(1.5)]
    [TestCase(double.NaN)]
    public void AnEnergyThresholdOutsideZeroToOneIsAUsageError(double energy) =>
        Assert.Throws<InvalidOptionsException>(() => CompressionJob.Resolve(new PipelineOptions { Budget = BudgetKind.Energy, EnergyThreshold = energy }));

    [Test]
    public void AnUnknownMethodIsAUsageErrorNamingTheKnownOnes()
    {
        var thrown = Assert.Throws<InvalidOptionsException>(() => CompressionJob.Resolve(new PipelineOptions { Method = "svd" }))!;
        Assert.That(thrown.Advice, Does.Contain("svd-energy"));
    }

    [Test]
    public void BadAllocationSettingsAreAUsageError() =>
        Assert.Throws<InvalidOptionsException>(() => CompressionJob.Resolve(new PipelineOptions { Allocation = AllocationSettings.Default with { MaxSliceCount = 0 } }));

    [Test]
    public void AnEnergyThresholdBecomesTheAllocatorsOwnRuleWithoutABudget()
    {
        var job = CompressionJob.Resolve(new PipelineOptions { Budget = BudgetKind.Energy, EnergyThreshold = 0.8 });
        Assert.That(job.Budget.KeepFraction, Is.Null);
        Assert.That(job.Settings.ArsvdTau, Is.EqualTo(0.8));
        var budgeted = CompressionJob.Resolve(new PipelineOptions { KeepFraction = 0.3 });
        Assert.That(budgeted.Budget.KeepFraction, Is.EqualTo(0.3));
    }

    [TestCase("alds", 8)]
    [TestCase("global-energy", 1)]
    [TestCase("arsvd", 1)]
    public void OnlyAnAllocatorThatUsesSlicesHasSlicingsTimed(string method, int timed) =>
        Assert.That(CompressionJob.Resolve(new PipelineOptions { Method = method, LatencyAware = true }).TimedSliceCount, Is.EqualTo(timed));

    [Test]
    public void TheFactorizerIsPlainSvdWithoutCalibrationAndWhitenedWithIt()
    {
        var plain = CompressionJob.Resolve(new PipelineOptions());
        Assert.That(plain.Factorizer(null).IsPlainSvd, Is.True);
        Assert.That(plain.Refits, Is.False);

        var options = new PipelineOptions { Calibration = new CalibrationOptions(_ => throw new AssertionException("not opened")) };
        var statistics = new CalibrationStatistics("test", 1, new Dictionary<string, LayerInputStatistics>());
        var dataAware = CompressionJob.Resolve(options, hasCalibrationData: true, timed: false);
        Assert.That(dataAware.Factorizer(statistics).IsPlainSvd, Is.False);
        Assert.That(dataAware.Factorizer(statistics).Name, Is.EqualTo(WhitenedFactorizer.FactorizerName));
        Assert.That(dataAware.Refits, Is.True);
        Assert.That(CompressionJob.Resolve(options with { RefitSequentially = false }, hasCalibrationData: true, timed: false).Refits, Is.False);
    }

    [Test]
    public void ThePipelineRefusesAnEnergyThresholdForAldsBeforeAnalysing()
    {
        var model = OnnxModelFile.Load(ReferenceModels.Path("mlp.onnx"));
        Assert.Throws<InvalidOptionsException>(() =>
            new CompressionPipeline().Compress(model, new PipelineOptions { Method = "alds", Budget = BudgetKind.Energy, EnergyThreshold = 0.9 }));
    }

    [Test]
    public void ExcludingEveryCompressibleLayerIsAUsageError()
    {
        var model = OnnxModelFile.Load(ReferenceModels.Path("mlp.onnx"));
        var thrown = Assert.Throws<InvalidOptionsException>(() => new CompressionPipeline().Compress(model, new PipelineOptions { Exclude = ["*"] }))!;
        Assert.That(thrown.Message, Does.Contain("excluded"));
    }
}
