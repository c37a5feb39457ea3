using OnnxLowRank.Runtime;

namespace OnnxLowRank.Core.Tests;

/// <summary>
/// Every test here runs under a 2 GiB cap on ONNX Runtime's memory, set before the first session:
/// a mutated model that asks the engine for more (the fuzzer pads Convs by up to 2^63) ends in a
/// typed error at once, whatever the machine's memory.
/// </summary>
[SetUpFixture]
public sealed class EngineMemoryLimit
{
    public const long Bytes = 2L << 30;

    [OneTimeSetUp]
    public void CapTheEngine() => MemoryLimit.Set(Bytes);
}
