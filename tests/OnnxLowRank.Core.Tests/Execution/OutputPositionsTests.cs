using OnnxLowRank.Core.Execution;
using OnnxLowRank.Core.Layers;
using OnnxLowRank.Core.Tests.Pipeline;
using OnnxLowRank.Core.Tests.Support;
using OnnxLowRank.Onnx;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Core.Tests.Execution;

/// <summary>
/// Output positions come from ONNX Runtime's shape inference on the model without its weights, with no run;
/// they must be what a run of the whole model gives each layer's output.
/// </summary>
public class OutputPositionsTests
{
    private static IEnumerable<TestCaseData> Cases() =>
        from model in ReferenceModels.All
        from batch in new long?[] { null, 3 }
        select new TestCaseData(model, batch);

    [TestCaseSource(nameof(Cases))]
    public void Inferred_positions_are_those_of_a_run_and_need_no_run(string modelFile, long? batch)
    {
        var model = OnnxModelFile.Load(ReferenceModels.Path(modelFile));
        var sizes = batch is { } b ? DimensionSizes.Parse([$"batch={b}"]) : DimensionSizes.None;
        var layers = LayerDiscovery.Find(model, new DiscoveryOptions()).Layers;
        var probes = layers.Select(l => new OutputPositions.Probe(l.NodeName, l.Node.Output[0], l.Geometry.OutputChannels)).ToList();
        var runner = new RunCounter(Engine.Runner);

        var positions = OutputPositions.Measure(model, probes, runner, sizes, mayRun: true)!;

        Assert.That(runner.Runs, Is.Zero, "the shapes were inferred, not measured by a run");
        // The reference: the whole model run on zeros with every layer's output exposed.
        using var session = Engine.Runner.Open(model, probes.Select(p => p.OutputValue).Where(v => model.Graph.Output.All(o => o.Name != v)).ToList());
        var outputs = session.Run(session.Inputs.ToDictionary(i => i.Name, i => OutputPositions.ZeroTensor(i, sizes.Resolve(session.Inputs).Shapes[i.Name])));
        Assert.That(probes, Is.Not.Empty);
        foreach (var probe in probes)
            Assert.That(positions[probe.Name], Is.EqualTo(outputs[probe.OutputValue].ElementCount / probe.OutputChannels), probe.Name);
    }

    /// <summary>The engine as it is, counting the runs of the sessions it opens.</summary>
    private sealed class RunCounter(IModelRunner engine) : IModelRunner
    {
        public int Runs { get; private set; }

        public IModelSession Open(ModelProto model, IReadOnlyCollection<string>? exposedValues = null) => new Counted(engine.Open(model, exposedValues), this);

        public IModelSession OpenFile(string path) => new Counted(engine.OpenFile(path), this);

        private sealed class Counted(IModelSession session, RunCounter counter) : IModelSession
        {
            public IReadOnlyList<ValueDescriptor> Inputs => session.Inputs;

            public IReadOnlyList<ValueDescriptor> Outputs => session.Outputs;

            public IReadOnlyDictionary<string, TensorData> Run(IReadOnlyDictionary<string, TensorData> inputs, IReadOnlyList<string>? outputNames = null)
            {
                counter.Runs++;
                return session.Run(inputs, outputNames);
            }

            public void Dispose() => session.Dispose();
        }
    }
}
