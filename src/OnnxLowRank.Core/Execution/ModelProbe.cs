using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Execution;

/// <summary>
/// A model opened in the engine to read chosen values of it by name, whatever the graph makes of them: a graph
/// input is handed back from the feed, a graph output is returned anyway, and an inner value is exposed as an extra
/// output. It holds one session; what a run returns belongs to the caller, so a caller that streams batches keeps
/// one batch's values at a time.
/// </summary>
public sealed class ModelProbe : IDisposable
{
    private readonly IModelSession _session;
    private readonly HashSet<string> _fed;
    private readonly List<string> _fetched;

    private ModelProbe(IModelSession session, IReadOnlyList<string> values, HashSet<string> graphInputs)
    {
        _session = session;
        Values = values;
        _fed = values.Where(graphInputs.Contains).ToHashSet();
        _fetched = values.Where(v => !graphInputs.Contains(v)).ToList();
    }

    /// <summary>The values each run returns, each name once.</summary>
    public IReadOnlyList<string> Values { get; }

    public IReadOnlyList<ValueDescriptor> Inputs => _session.Inputs;

    /// <summary>Graph outputs followed by the exposed inner values, as the engine describes them.</summary>
    public IReadOnlyList<ValueDescriptor> Outputs => _session.Outputs;

    /// <summary>Opens <paramref name="model"/> from memory to read <paramref name="values"/>, each name once.</summary>
    public static ModelProbe Open(IModelRunner runner, ModelProto model, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(model);
        var distinct = values.Distinct().ToList();
        var graphInputs = model.Graph.Input.Select(i => i.Name).ToHashSet();
        var graphOutputs = model.Graph.Output.Select(o => o.Name).ToHashSet();
        // Graph inputs are read from the feed and graph outputs are returned anyway: exposing either is not needed.
        var exposed = distinct.Where(v => !graphInputs.Contains(v) && !graphOutputs.Contains(v)).ToList();
        return new ModelProbe(runner.Open(model, exposed), distinct, graphInputs);
    }

    /// <summary>
    /// Opens the model saved at <paramref name="path"/> to read its graph outputs; the engine reads the weights
    /// from the file, so a model whose weights stay on disk is never copied into memory.
    /// </summary>
    public static ModelProbe OpenFile(IModelRunner runner, string path)
    {
        ArgumentNullException.ThrowIfNull(runner);
        var session = runner.OpenFile(path);
        return new ModelProbe(session, session.Outputs.Select(o => o.Name).ToList(), session.Inputs.Select(i => i.Name).ToHashSet());
    }

    /// <summary>Runs once on <paramref name="inputs"/> and returns every one of <see cref="Values"/> by name.</summary>
    public IReadOnlyDictionary<string, TensorData> Run(IReadOnlyDictionary<string, TensorData> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var outputs = _fetched.Count > 0 ? _session.Run(inputs, _fetched) : new Dictionary<string, TensorData>();
        return Values.ToDictionary(v => v, v => _fed.Contains(v) ? inputs[v] : outputs[v]);
    }

    /// <summary>
    /// Runs once on all-zero inputs (<see cref="OutputPositions.ZeroTensor"/>), symbolic dimensions sized by
    /// <paramref name="sizes"/>. A failure while some dimension had no size is put to that dimension
    /// (<see cref="UnsizedDimensionException"/>); with every dimension sized, the engine's error stands.
    /// </summary>
    public IReadOnlyDictionary<string, TensorData> RunOnZeros(DimensionSizes sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var resolved = sizes.Resolve(Inputs);
        var feeds = Inputs.ToDictionary(i => i.Name, i => OutputPositions.ZeroTensor(i, resolved.Shapes[i.Name]));
        try
        {
            return Run(feeds);
        }
        catch (OnnxLowRankException e) when (resolved.Unsized.Count > 0 && !e.IsEnvironmentFailure)
        {
            throw new UnsizedDimensionException(resolved.UnsizedNames, e);
        }
    }

    public void Dispose() => _session.Dispose();
}
