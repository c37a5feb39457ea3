using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Sensitivity;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Errors;

namespace OnnxLowRank.Core.Tests.Sensitivity;

/// <summary>The pipeline measures sensitivity for the sensitivity allocator, hands it to the allocator, and refuses it without calibration data.</summary>
public class PipelineSensitivityTests
{
    [Test]
    public void Method_sensitivity_without_calibration_data_is_a_typed_usage_error()
    {
        var model = OnnxModelFile.Load(RepositoryFiles.Model("mlp.onnx"));
        var error = Assert.Throws<InvalidOptionsException>(() => new CompressionPipeline(Engine.Runner).Analyze(model, new PipelineOptions { Method = SensitivityAllocator.RegistryName }));
        Assert.That(error!.Message, Does.Contain("--calibration"));
    }

    [Test]
    public void The_analysis_carries_every_layers_measured_sizes_and_the_allocator_chooses_within_their_range()
    {
        var model = OnnxModelFile.Load(RepositoryFiles.Model("mlp.onnx"));
        var options = new PipelineOptions
        {
            Method = SensitivityAllocator.RegistryName, KeepFraction = 0.4, Calibration = FashionMnistCalibration.Options(), Sensitivity = new SensitivityOptions { Samples = 64 },
        };
        var pipeline = new CompressionPipeline(Engine.Runner);
        var analysis = pipeline.Analyze(model, options);
        Assert.That(analysis.Sensitivity, Is.Not.Null);
        foreach (var layer in analysis.Layers)
        {
            var expected = CandidateSizes.For(layer, SensitivityOptions.DefaultFractions, options.Allocation, options.ConvRankMultiple)
                .Select(s => (s.SliceCount, s.Rank)).Distinct();
            Assert.That(layer.Sensitivity!.Select(d => (d.SliceCount, d.Rank)), Is.EqualTo(expected), layer.Name);
            Assert.That(layer.Sensitivity!.Select(d => d.Damage), Is.All.GreaterThanOrEqualTo(0));
        }

        var result = pipeline.Compress(model, analysis, options);
        Assert.That(result.Plan.Method, Is.EqualTo(SensitivityAllocator.RegistryName));
        Assert.That(result.Allocation.KeptCost, Is.LessThanOrEqualTo(result.Allocation.TargetCost!.Value));
        foreach (var planned in result.Plan.Layers)
        {
            var measured = analysis.Layers.Single(l => l.Name == planned.NodeName).Sensitivity!.Where(d => d.SliceCount == planned.SliceCount).Select(d => d.Rank).ToList();
            Assert.That(planned.Rank, Is.InRange(measured.Min(), measured.Max()), $"{planned.NodeName} takes a rank within its measured range");
        }
    }
}
