using OnnxLowRank.Cli.Terminal;
using OnnxLowRank.Core.Data;
using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Validation;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Cli.Commands;

/// <summary>Runs an original and a compressed model on the same data, with a progress bar; shared by diff, compress --validate and sweep.</summary>
internal static class ComparisonRun
{
    /// <summary>
    /// Compares the models on <paramref name="data"/>; with both files named, a model whose weights stay on disk is
    /// compared from them (<see cref="ComparedSessions"/>), and <paramref name="compressed"/> may then be null.
    /// </summary>
    public static ModelComparison Compare(ConsoleSession console, IModelRunner runner, ModelProto original, ModelProto? compressed,
        string data, DataSourceOptions dataOptions, int batchSize, string label = "comparing", string? originalPath = null, string? compressedPath = null)
    {
        using var sessions = ComparedSessions.Open(runner, original, compressed, originalPath, compressedPath);
        var source = DataSourceOpener.Open(data, sessions.Original.Inputs, dataOptions with { TableRows = TokenEmbeddings.TableRows(original) });
        var vocabulary = TokenEmbeddings.Vocabulary(original);
        return console.WithProgress(report => Compare(sessions.Original, sessions.Compressed, source, batchSize, vocabulary, report, label));
    }

    /// <summary>
    /// Compares open sessions, reporting progress through <paramref name="report"/> (stage, done, total). A sweep
    /// passes <paramref name="briefTiming"/>: it still needs 20 timed runs per model for a speedup, but not 2 s
    /// of them at each of its many points. <paramref name="vocabulary"/> tells a token model's logits from its embeddings.
    /// </summary>
    public static ModelComparison Compare(IModelSession original, IModelSession compressed, IDataSource source, int batchSize, long? vocabulary,
        Action<string, double, double> report, string label, bool briefTiming = false)
    {
        var options = new ComparisonOptions { BatchSize = batchSize, Vocabulary = vocabulary };
        if (briefTiming) options = options with { MinTimedDuration = TimeSpan.Zero };
        return new ModelComparer(options).Compare(original, compressed, source, new Progress(done => report(label, done, source.Count)));
    }

    // Synchronous, unlike System.Progress, which posts to the thread pool and can report after the work ends.
    private sealed class Progress(Action<int> report) : IProgress<int>
    {
        public void Report(int value) => report(value);
    }
}
