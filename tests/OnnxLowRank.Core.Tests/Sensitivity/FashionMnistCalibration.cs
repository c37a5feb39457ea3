using OnnxLowRank.Core.Analysis;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.DataAware;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Pipeline;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Tests.Sensitivity;

/// <summary>
/// The reference models with the 512-image Fashion-MNIST training slice, normalised as README's commands do, and each model's
/// calibrated analysis, made once for all sensitivity tests.
/// </summary>
internal static class FashionMnistCalibration
{
    private static readonly PixelNormalization Normalization = new(0.2860, 0.3530);
    private static readonly Dictionary<string, (ModelProto, ModelAnalysis)> Analysed = [];

    /// <summary>Samples <paramref name="offset"/> onward, at most <paramref name="limit"/>, in batches of 64.</summary>
    public static CalibrationOptions Options(int offset = 0, int? limit = null) => new(inputs => DataSourceOpener.Open(
        RepositoryFiles.Model("data/fmnist-train-512-images-idx3-ubyte.gz"), inputs,
        new DataSourceOptions { Normalization = Normalization, Slice = new DataSlice(offset, limit) }))
    {
        BatchSize = 64,
    };

    /// <summary>The model and its analysis with whitened spectra from all 512 images.</summary>
    public static (ModelProto Model, ModelAnalysis Analysis) Analyse(string file)
    {
        lock (Analysed)
        {
            if (Analysed.TryGetValue(file, out var done)) return done;
            var model = OnnxModelFile.Load(RepositoryFiles.Model(file));
            var analysis = new CompressionPipeline(Engine.Runner).Analyze(model, new PipelineOptions { Calibration = Options() });
            return Analysed[file] = (model, analysis);
        }
    }

    /// <summary>The first <paramref name="count"/> images as the model's input.</summary>
    public static IReadOnlyDictionary<string, TensorData> Images(ModelProto model, int count)
    {
        using var session = Engine.Runner.Open(model);
        var source = Options(0, count).OpenSource(session.Inputs);
        return source.ReadBatches(count).First().Inputs;
    }
}
