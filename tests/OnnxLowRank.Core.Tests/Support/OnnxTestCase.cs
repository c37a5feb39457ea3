using OnnxLowRank.Core.Execution;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Tests.Support;

/// <summary>
/// One case of ONNX's own backend test vectors (Debian package libonnx-testdata): model.onnx and
/// test_data_set_0/{input,output}_*.pb, with the inputs matched to the graph inputs that are not initializers.
/// </summary>
internal sealed class OnnxTestCase
{
    public const string Root = "/usr/share/libonnx-testdata/data";

    private OnnxTestCase(string directory) => Directory = directory;

    public string Directory { get; }

    public string Name => Path.GetFileName(Directory);

    /// <summary>The cases under data/<paramref name="suite"/> whose names start with one of the prefixes.</summary>
    public static IReadOnlyList<OnnxTestCase> Find(string suite, params string[] prefixes)
    {
        var folder = Path.Combine(Root, suite);
        if (!System.IO.Directory.Exists(folder))
            Assert.Fail($"{folder} is missing: install the Debian package libonnx-testdata.");
        return System.IO.Directory.GetDirectories(folder)
            .Where(d => prefixes.Any(p => Path.GetFileName(d).StartsWith(p, StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .Select(d => new OnnxTestCase(d))
            .ToList();
    }

    public ModelProto LoadModel() => OnnxModelFile.Load(Path.Combine(Directory, "model.onnx"));

    public IReadOnlyList<TensorProto> Inputs => ReadSet("input_");

    public IReadOnlyList<TensorProto> Outputs => ReadSet("output_");

    /// <summary>
    /// The model and its feeds, ready for ONNX Runtime: legacy opsets raised, and the inputs named in
    /// <paramref name="bake"/> turned into initializers (the test vectors feed some weights as inputs).
    /// </summary>
    public (ModelProto Model, Dictionary<string, TensorData> Feeds) Prepare(IReadOnlySet<string> bake)
    {
        var model = LoadModel();
        LegacyOpset.Raise(model);
        var graph = model.Graph;
        var initializers = graph.Initializer.Select(t => t.Name).ToHashSet();
        var fed = graph.Input.Where(i => !initializers.Contains(i.Name)).Select(i => i.Name).ToList();
        var inputs = Inputs;
        Assert.That(inputs, Has.Count.EqualTo(fed.Count), $"{Name}: inputs in test_data_set_0");
        var feeds = new Dictionary<string, TensorData>();
        for (var i = 0; i < fed.Count; i++)
        {
            if (bake.Contains(fed[i]))
            {
                var tensor = inputs[i].Clone();
                tensor.Name = fed[i];
                graph.Initializer.Add(tensor);
                var input = graph.Input.Single(v => v.Name == fed[i]);
                graph.Input.Remove(input);
            }
            else
            {
                feeds[fed[i]] = Tensors.FromProto(inputs[i]);
            }
        }
        return (model, feeds);
    }

    private IReadOnlyList<TensorProto> ReadSet(string prefix)
    {
        var set = Path.Combine(Directory, "test_data_set_0");
        return System.IO.Directory.GetFiles(set, prefix + "*.pb")
            .OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f)[prefix.Length..]))
            .Select(Tensors.Read)
            .ToList();
    }
}
