using OnnxLowRank.Core.Allocation;
using OnnxLowRank.Core.Analysis;
using OnnxLowRank.Core.Factorization;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Planning;
using OnnxLowRank.Core.Rewrites;
using OnnxLowRank.Core.Sensitivity;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Tests.Sensitivity;

/// <summary>
/// The measure follows the output's shape: the MLP's logits by divergence; the same model ending in a Softmax gives the same
/// divergence on its probabilities; its logits reshaped to one value per row are scored by relative squared error, computed here.
/// </summary>
public class OutputDamageTests
{
    [Test]
    public void Probabilities_give_the_divergence_of_their_logits_and_single_values_the_relative_error()
    {
        var (model, analysis) = FashionMnistCalibration.Analyse("mlp.onnx");
        var logits = Measure(model, analysis);
        Assert.That(logits.Measure, Is.EqualTo(DamageMeasure.Divergence));

        var probabilities = Measure(WithHead(new NodeProto { OpType = "Softmax", Input = { "logits" }, Output = { "probabilities" } }));
        Assert.That(probabilities.Measure, Is.EqualTo(DamageMeasure.Divergence));
        TestContext.Out.WriteLine($"KL on logits {Damage(logits):E6}, on probabilities {Damage(probabilities):E6}");
        Assert.That(Damage(probabilities), Is.EqualTo(Damage(logits)).Within(1e-3).Percent);

        var shape = new TensorProto { Name = "column", DataType = (int)TensorProto.Types.DataType.Int64, Dims = { 3 }, Int64Data = { 0, -1, 1 } };
        var columns = Measure(WithHead(new NodeProto { OpType = "Reshape", Input = { "logits", "column" }, Output = { "columns" } }, shape));
        Assert.That(columns.Measure, Is.EqualTo(DamageMeasure.RelativeError));
        var reference = RelativeError(model, analysis.Layers[1]);
        TestContext.Out.WriteLine($"relative error of the logits {Damage(columns):E6}, computed here {reference:E6}");
        Assert.That(Damage(columns), Is.EqualTo(reference).Within(1e-3).Percent);
    }

    private static double Damage(SensitivityMeasurement measurement) => measurement.Layers.Values.ElementAt(1).Single().Damage;

    /// <summary>The MLP with <paramref name="head"/> after its logits, its output in their place, analysed afresh.</summary>
    private static (ModelProto, ModelAnalysis) WithHead(NodeProto head, TensorProto? constant = null)
    {
        var model = OnnxModelFile.Load(RepositoryFiles.Model("mlp.onnx"));
        model.Graph.Node.Add(head);
        if (constant is not null) model.Graph.Initializer.Add(constant);
        model.Graph.Output.Clear();
        model.Graph.Output.Add(new ValueInfoProto { Name = head.Output[0] });
        return (model, new CompressionPipeline(Engine.Runner).Analyze(model, new PipelineOptions { Calibration = FashionMnistCalibration.Options() }));
    }

    private static SensitivityMeasurement Measure((ModelProto Model, ModelAnalysis Analysis) analysed) => Measure(analysed.Model, analysed.Analysis);

    /// <summary>The second layer at a quarter of its size, on 64 images.</summary>
    private static SensitivityMeasurement Measure(ModelProto model, ModelAnalysis analysis) =>
        SensitivityRun.Measure(model, analysis.Layers.Take(2).ToList(), Engine.Runner, FashionMnistCalibration.Options(), Factorizer(analysis), new DiscoveryOptions(),
            new SensitivityOptions { Samples = 64 }, l => [Quarter(l)]);

    private static CandidateSize Quarter(LayerAnalysis layer) => CandidateSizes.For(layer, [0.25], AllocationSettings.Default, 1).Single();

    private static ILayerFactorizer Factorizer(ModelAnalysis analysis) =>
        CompressionJob.Resolve(new PipelineOptions { Calibration = FashionMnistCalibration.Options() }).Factorizer(analysis.Calibration);

    /// <summary>||y - y'||^2 / ||y||^2 of the whole MLP's logits with the layer factorized, on the same 64 images.</summary>
    private static double RelativeError(ModelProto model, LayerAnalysis layer)
    {
        var size = Quarter(layer);
        var plan = new CompressionPlan([new LayerPlan(layer.Name, size.SliceCount, size.Rank)]);
        var compressed = new LowRankCompressor(Factorizer(FashionMnistCalibration.Analyse("mlp.onnx").Analysis)).Compress(model, plan).Model;
        var inputs = FashionMnistCalibration.Images(model, 64);
        var y = Engine.Run(model, inputs)["logits"].ToDoubles();
        var z = Engine.Run(compressed, inputs)["logits"].ToDoubles();
        return y.Zip(z, (a, b) => (a - b) * (a - b)).Sum() / y.Sum(a => a * a);
    }
}
