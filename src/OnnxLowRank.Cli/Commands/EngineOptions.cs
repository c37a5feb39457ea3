using System.CommandLine;
using OnnxLowRank.Runtime;

namespace OnnxLowRank.Cli.Commands;

/// <summary>The options that configure ONNX Runtime.</summary>
internal sealed class EngineOptions
{
    public Option<string> Provider { get; } = new Option<string>("--ep")
    {
        Description = "Execution provider",
        DefaultValueFactory = _ => "cpu",
        HelpName = "cpu|cuda",
    }.AcceptOnlyFromAmong("cpu", "cuda");

    public Option<int> Threads { get; } = new Option<int>("--threads") { Description = "Threads per operator; 0 uses every core", HelpName = "N" }.AtLeast(0);

    public void AddTo(Command command)
    {
        command.Add(Provider);
        command.Add(Threads);
    }

    public OnnxRuntimeRunnerOptions Read(ParseResult result) => new()
    {
        Provider = result.GetValue(Provider) == "cuda" ? ExecutionProvider.Cuda : ExecutionProvider.Cpu,
        IntraOpNumThreads = result.GetValue(Threads),
    };
}
