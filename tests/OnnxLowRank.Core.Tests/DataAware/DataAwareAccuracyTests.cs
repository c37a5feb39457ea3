using System.Diagnostics;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Core.Tests.DataAware;

/// <summary>
/// On the trained ResNet, compressing with the 512-image calibration slice (auto: global-energy on
/// whitened spectra, whitened factors, bias correction) keeps more test accuracy than weight-only ALDS
/// at the same parameter budget, and stays near the original. Accuracy is counted here, by argmax
/// against the labels of the 2,000-image test slice, on ONNX Runtime's outputs.
/// </summary>
public class DataAwareAccuracyTests
{
    private const string ModelFile = "resnet.onnx";
    private static readonly PixelNormalization Normalization = new(0.2860, 0.3530);

    [Test]
    public void CalibratedCompressionBeatsWeightOnlyAtHalfTheParameters()
    {
        var table = Measure(ModelFile, [0.5]);
        var row = table.Rows.Single();
        Assert.That(row.DataAware, Is.GreaterThanOrEqualTo(row.WeightOnly), "data-aware compression must not lose to weight-only ALDS");
        Assert.That(table.Original - row.DataAware, Is.LessThanOrEqualTo(0.015), "data-aware compression within 1.5 points of the original");
    }

    /// <summary>
    /// Data-aware against weight-only at smaller budgets (docs/benchmarks.md has the full sweep). A quarter of the
    /// parameters is issue #9's 1.5x of the 50% weight-only alds removes within a point; sequential calibration
    /// measured -0.65 points there, so the point of margin is 7 test images.
    /// </summary>
    [Test]
    public void AccuracyTable()
    {
        var table = Measure(ModelFile, [0.25, 0.4]);
        // One budget may go either way by a few test images; over the range data-awareness must win.
        Assert.That(table.Rows.Average(r => r.DataAware), Is.GreaterThan(table.Rows.Average(r => r.WeightOnly)));
        Assert.That(table.Original - table.Rows[0].DataAware, Is.LessThanOrEqualTo(0.010), "data-aware at keep 0.25 within 1.0 point of the original");
    }

    private sealed record Row(double Keep, double DataAware, double WeightOnly);

    private sealed record Table(double Original, IReadOnlyList<Row> Rows);

    private static Table Measure(string modelFile, double[] keeps)
    {
        var model = OnnxModelFile.Load(RepositoryFiles.Model(modelFile));
        var runner = new OnnxRuntimeModelRunner();
        var pipeline = new CompressionPipeline(runner);
        var calibration = new CalibrationOptions(inputs => DataSourceOpener.Open(
            RepositoryFiles.Model("data/fmnist-train-512-images-idx3-ubyte.gz"), inputs, new DataSourceOptions { Normalization = Normalization }))
        {
            BatchSize = 64,
        };
        // Global-energy named, not auto (which would measure sensitivity): these tests are of whitened spectra and factors.
        var dataAwareOptions = new PipelineOptions { Method = "global-energy", Calibration = calibration };
        var weightOnlyOptions = new PipelineOptions { Method = "alds" };

        var watch = Stopwatch.StartNew();
        var dataAware = pipeline.Analyze(model, dataAwareOptions);
        TestContext.Out.WriteLine($"calibrated analysis ({dataAware.Calibration!.Samples} samples): {watch.Elapsed.TotalSeconds:0.0} s");
        watch.Restart();
        var weightOnly = pipeline.Analyze(model, weightOnlyOptions);
        TestContext.Out.WriteLine($"weight-only analysis: {watch.Elapsed.TotalSeconds:0.0} s");
        Assert.That(dataAware.Layers.All(l => l.DataAwareSliceSpectra is not null), "every layer has data-aware spectra");

        var original = Accuracy(runner, model);
        TestContext.Out.WriteLine($"{modelFile}: original accuracy {original:P2} on the 2,000-image test slice");
        TestContext.Out.WriteLine("| kept parameters | data-aware (global-energy, whitened) | weight-only (alds) |");
        TestContext.Out.WriteLine("|---|---|---|");
        var rows = new List<Row>();
        foreach (var keep in keeps)
        {
            var calibrated = pipeline.Compress(model, dataAware, dataAwareOptions with { KeepFraction = keep });
            Assert.That(calibrated.Plan.Method, Is.EqualTo("global-energy"));
            Assert.That(calibrated.Compression.Model.Graph.Node.Where(n => n.DocString.Length > 0).Select(n => n.DocString),
                Is.Not.Empty.And.All.StartsWith("onnx-lowrank: global-energy+whitened "));
            var plain = pipeline.Compress(model, weightOnly, weightOnlyOptions with { KeepFraction = keep });
            var row = new Row(keep, Accuracy(runner, calibrated.Compression.Model), Accuracy(runner, plain.Compression.Model));
            rows.Add(row);
            TestContext.Out.WriteLine(
                $"| {keep:P0} | {row.DataAware:P2} ({Points(row.DataAware - original)}) | {row.WeightOnly:P2} ({Points(row.WeightOnly - original)}) |");
        }
        return new Table(original, rows);
    }

    private static string Points(double difference) => $"{difference * 100:+0.00;-0.00} pt";

    /// <summary>Share of the test slice whose largest logit is at the label.</summary>
    private static double Accuracy(IModelRunner runner, ModelProto model)
    {
        using var session = runner.Open(model);
        var data = DataSourceOpener.Open(RepositoryFiles.Model("data/fmnist-test-2000-images-idx3-ubyte.gz"), session.Inputs, new DataSourceOptions
        {
            Normalization = Normalization,
            LabelsPath = RepositoryFiles.Model("data/fmnist-test-2000-labels-idx1-ubyte.gz"),
        });
        var output = session.Outputs[0].Name;
        int correct = 0, total = 0;
        foreach (var batch in data.ReadBatches(250))
        {
            var logits = session.Run(batch.Inputs, [output])[output].ToDoubles();
            var classes = logits.Length / batch.Count;
            for (var s = 0; s < batch.Count; s++)
            {
                var best = 0;
                for (var c = 1; c < classes; c++)
                    if (logits[s * classes + c] > logits[s * classes + best]) best = c;
                if (best == batch.Labels![s]) correct++;
                total++;
            }
        }
        Assert.That(total, Is.EqualTo(2000));
        return (double)correct / total;
    }
}
