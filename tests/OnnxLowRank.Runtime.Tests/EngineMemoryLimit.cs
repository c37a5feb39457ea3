namespace OnnxLowRank.Runtime.Tests;

/// <summary>
/// Every test here runs under a 1 GiB cap on ONNX Runtime's memory, set before the first session,
/// so a test that asks for more fails fast whatever the machine's memory.
/// </summary>
[SetUpFixture]
public sealed class EngineMemoryLimit
{
    public const long Bytes = 1L << 30;

    [OneTimeSetUp]
    public void CapTheEngine() => MemoryLimit.Set(Bytes);
}
