using System.Globalization;

namespace OnnxLowRank.Runtime;

/// <summary>
/// The most CPU memory ONNX Runtime may take for tensors: every session of this binding allocates
/// from one arena registered on the shared environment with this cap, so a malformed model (a Conv
/// padded by 2^31, a Reshape to a huge shape) ends in an <see cref="OnnxRuntimeException"/> instead
/// of exhausting the machine. The limit is fixed when the environment is created: by
/// <see cref="Set"/> before the first session, else by the <see cref="EnvironmentVariable"/>
/// variable, else half of the memory available to the process.
/// </summary>
public static class MemoryLimit
{
    /// <summary>Environment variable holding the limit: bytes, or a number with K, M, G or T (powers of 1024), e.g. 4G.</summary>
    public const string EnvironmentVariable = "ONNXLOWRANK_ORT_MEMORY_LIMIT";

    private static readonly Lock Gate = new();
    private static long? _requested;
    private static long? _applied;

    /// <summary>The limit in force, in bytes (creating the environment if it does not exist yet).</summary>
    public static long Bytes
    {
        get
        {
            _ = OnnxRuntimeEnvironment.Instance;
            lock (Gate) return _applied!.Value;
        }
    }

    /// <summary>
    /// Sets the limit for this process. Allowed until the environment exists; afterwards only the
    /// value already in force is accepted, since ONNX Runtime's arena cannot be resized.
    /// </summary>
    public static void Set(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1L << 20);
        lock (Gate)
        {
            if (_applied is { } applied && applied != bytes)
                throw new InvalidOperationException($"ONNX Runtime's memory limit is already {Describe(applied)}; set it before the first session.");
            _requested = bytes;
        }
    }

    /// <summary>Parses a size such as 1073741824, 512M or 4G (K, M, G and T are powers of 1024).</summary>
    public static long Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var shift = trimmed.Length == 0 ? 0 : char.ToUpperInvariant(trimmed[^1]) switch { 'K' => 10, 'M' => 20, 'G' => 30, 'T' => 40, _ => 0 };
        var number = shift == 0 ? trimmed : trimmed[..^1];
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value > 0) || value * Math.Pow(2, shift) >= long.MaxValue)
            throw new FormatException($"'{text}' is not a memory size; write bytes or a number with K, M, G or T, e.g. 4G.");
        return (long)(value * Math.Pow(2, shift));
    }

    /// <summary>A size in the largest binary unit that keeps it readable, e.g. "11.5 GiB".</summary>
    public static string Describe(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.#} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.#} MiB",
        _ => $"{bytes} bytes",
    };

    /// <summary>Fixes the limit; called once, by the environment as it is created.</summary>
    internal static long Apply()
    {
        lock (Gate)
        {
            _applied ??= _requested ?? FromEnvironment() ?? Default();
            return _applied.Value;
        }
    }

    /// <summary>
    /// True when ONNX Runtime's message says the arena refused an allocation. BFCArena reports
    /// "Available memory of N is smaller than requested bytes of M" and the allocation then fails
    /// with "Failed to allocate memory for requested buffer of size M".
    /// </summary>
    internal static bool IsRefusal(string message) =>
        message.Contains("Failed to allocate memory", StringComparison.Ordinal)
        || message.Contains("is smaller than requested bytes", StringComparison.Ordinal);

    internal static string Advice(long bytes) =>
        $"the model asks ONNX Runtime for more than its memory limit of {Describe(bytes)}; if the model is sound, "
        + $"raise the limit with {EnvironmentVariable} (e.g. {EnvironmentVariable}=16G) or use smaller inputs; otherwise check its shapes and the pads, strides and kernel sizes of its nodes";

    private static long? FromEnvironment()
    {
        var text = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            return Math.Max(Parse(text), 1L << 20);
        }
        catch (FormatException e)
        {
            throw new OnnxRuntimeException(ErrorCode.InvalidArgument, e.Message, subject: EnvironmentVariable, advice: "unset it or give a size such as 8G", inner: e,
                environmentFailure: true);
        }
    }

    // Half of what the process may use (the machine's memory, or a container's limit), so the rest of
    // the tool and the machine keep room; at least 1 GiB.
    private static long Default() => Math.Max(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2, 1L << 30);
}
