using OnnxLowRank.Runtime.Native;

namespace OnnxLowRank.Runtime;

/// <summary>A model loaded into ONNX Runtime, ready to run many times. Safe to run from several threads.</summary>
public sealed unsafe class InferenceSession : IDisposable
{
    private readonly SessionHandle _handle;
    private readonly string? _filePath;

    /// <summary>Loads the model file at <paramref name="modelPath"/> (external data is read relative to it).</summary>
    public InferenceSession(string modelPath, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(modelPath);
        _filePath = modelPath;
        _handle = Create(options, (api, env, sessionOptions, session) =>
        {
            if (OperatingSystem.IsWindows())
            {
                // ORTCHAR_T is wchar_t on Windows.
                fixed (char* path = modelPath) return api.CreateSession(env, path, sessionOptions, session);
            }
            fixed (byte* path = Utf8.NullTerminated(modelPath)) return api.CreateSession(env, path, sessionOptions, session);
        }, modelPath);
        (InputNames, InputMetadata, OutputNames, OutputMetadata) = ReadAllMetadata();
    }

    /// <summary>Loads a serialized model held in memory.</summary>
    public InferenceSession(byte[] model, SessionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _handle = Create(options, (api, env, sessionOptions, session) =>
        {
            fixed (byte* data = model) return api.CreateSessionFromArray(env, data, (nuint)model.Length, sessionOptions, session);
        }, filePath: null);
        (InputNames, InputMetadata, OutputNames, OutputMetadata) = ReadAllMetadata();
    }

    /// <summary>Inputs to feed, in the model's order (initializers that may be overridden are not listed).</summary>
    public IReadOnlyList<string> InputNames { get; }

    public IReadOnlyDictionary<string, NodeMetadata> InputMetadata { get; }

    public IReadOnlyList<string> OutputNames { get; }

    public IReadOnlyDictionary<string, NodeMetadata> OutputMetadata { get; }

    /// <summary>
    /// Runs the model once on the named inputs and returns the requested outputs, in the order asked,
    /// as values the caller owns (dispose the collection).
    /// </summary>
    public IDisposableReadOnlyCollection<OrtValue> Run(IReadOnlyCollection<string> inputNames, IReadOnlyCollection<OrtValue> inputValues, IReadOnlyCollection<string> outputNames)
    {
        ArgumentNullException.ThrowIfNull(inputNames);
        ArgumentNullException.ThrowIfNull(inputValues);
        ArgumentNullException.ThrowIfNull(outputNames);
        if (inputNames.Count != inputValues.Count)
            throw new ArgumentException($"{inputNames.Count} input names but {inputValues.Count} input values.", nameof(inputValues));
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        // A released value would hand ONNX Runtime a dangling pointer.
        if (inputValues.Any(v => v.Handle.IsClosed)) throw new ObjectDisposedException(nameof(OrtValue), "An input value has been disposed.");

        using var inNames = new Utf8StringArray(inputNames);
        using var outNames = new Utf8StringArray(outputNames);
        var inputs = inputValues.Select(v => v.Handle.DangerousGetHandle()).ToArray();
        var outputs = new IntPtr[outputNames.Count];
        var api = OrtApi.Instance;
        fixed (IntPtr* inNamePtrs = inNames.Pointers, inValuePtrs = inputs, outNamePtrs = outNames.Pointers, outValuePtrs = outputs)
        {
            var status = api.Run(_handle.DangerousGetHandle(), IntPtr.Zero, inNamePtrs, inValuePtrs, (nuint)inputs.Length,
                outNamePtrs, (nuint)outputs.Length, outValuePtrs);
            WithMemoryLimitExplained(() => api.VerifySuccess(status), _filePath);
        }
        GC.KeepAlive(inputValues);
        return new DisposableList<OrtValue>(outputs.Select(o => new OrtValue(new ValueHandle(o))).ToArray());
    }

    public void Dispose() => _handle.Dispose();

    private delegate IntPtr SessionFactory(OrtApi api, IntPtr env, IntPtr options, IntPtr* session);

    private static SessionHandle Create(SessionOptions? options, SessionFactory create, string? filePath)
    {
        var env = OrtEnv.Instance();
        var api = OrtApi.Instance;
        var ownOptions = options is null ? new SessionOptions() : null;
        try
        {
            IntPtr session;
            var status = create(api, env.Handle.DangerousGetHandle(), (options ?? ownOptions!).Handle.DangerousGetHandle(), &session);
            // Initializers come from the capped arena too, so loading can hit the limit.
            WithMemoryLimitExplained(() => api.VerifySuccess(status, filePath), filePath);
            return new SessionHandle(session);
        }
        finally
        {
            ownOptions?.Dispose();
        }
    }

    /// <summary>Turns the arena's refusal into an error that says which limit was hit and what to do.</summary>
    private static void WithMemoryLimitExplained(Action verify, string? filePath)
    {
        try
        {
            verify();
        }
        catch (OnnxRuntimeException e) when (MemoryLimit.IsRefusal(e.Reason))
        {
            var limit = OrtEnv.Instance().MemoryLimitBytes;
            throw new OnnxRuntimeException(e.ErrorCode, $"ONNX Runtime's memory limit of {MemoryLimit.Describe(limit)} was reached: {e.Reason}",
                filePath, advice: MemoryLimit.Advice(limit), inner: e, memoryLimitReached: true);
        }
    }

    private (IReadOnlyList<string>, IReadOnlyDictionary<string, NodeMetadata>, IReadOnlyList<string>, IReadOnlyDictionary<string, NodeMetadata>) ReadAllMetadata()
    {
        try
        {
            var (inputNames, inputs) = ReadMetadata(input: true);
            var (outputNames, outputs) = ReadMetadata(input: false);
            return (inputNames, inputs, outputNames, outputs);
        }
        catch
        {
            _handle.Dispose();
            throw;
        }
    }

    private (IReadOnlyList<string> Names, IReadOnlyDictionary<string, NodeMetadata> Metadata) ReadMetadata(bool input)
    {
        var api = OrtApi.Instance;
        var session = _handle.DangerousGetHandle();
        IntPtr allocator;
        api.VerifySuccess(api.GetAllocatorWithDefaultOptions(&allocator));
        nuint count;
        api.VerifySuccess(input ? api.SessionGetInputCount(session, &count) : api.SessionGetOutputCount(session, &count));
        var names = new string[(int)count];
        var metadata = new Dictionary<string, NodeMetadata>((int)count);
        for (nuint i = 0; i < count; i++)
        {
            IntPtr name, typeInfo;
            api.VerifySuccess(input ? api.SessionGetInputName(session, i, allocator, &name) : api.SessionGetOutputName(session, i, allocator, &name));
            names[i] = AllocatedString.Take(name);
            api.VerifySuccess(input ? api.SessionGetInputTypeInfo(session, i, &typeInfo) : api.SessionGetOutputTypeInfo(session, i, &typeInfo));
            using var ownedTypeInfo = new TypeInfoHandle(typeInfo);
            metadata[names[i]] = Describe(api, typeInfo, names[i]);
        }
        return (names, metadata);
    }

    private static NodeMetadata Describe(OrtApi api, IntPtr typeInfo, string name)
    {
        int onnxType;
        api.VerifySuccess(api.GetOnnxTypeFromTypeInfo(typeInfo, &onnxType));
        if ((OnnxValueType)onnxType != OnnxValueType.ONNX_TYPE_TENSOR)
            return new NodeMetadata((OnnxValueType)onnxType, TensorElementType.Undefined, [], []);

        // The tensor info belongs to the type info; it is not released separately.
        IntPtr tensorInfo;
        api.VerifySuccess(api.CastTypeInfoToTensorInfo(typeInfo, &tensorInfo));
        int elementType;
        nuint rank;
        api.VerifySuccess(api.GetTensorElementType(tensorInfo, &elementType));
        api.VerifySuccess(api.GetDimensionsCount(tensorInfo, &rank));
        var dims = new long[(int)rank];
        var symbols = new IntPtr[(int)rank];
        fixed (long* d = dims) api.VerifySuccess(api.GetDimensions(tensorInfo, d, rank));
        fixed (IntPtr* s = symbols) api.VerifySuccess(api.GetSymbolicDimensions(tensorInfo, s, rank));
        return new NodeMetadata(OnnxValueType.ONNX_TYPE_TENSOR, (TensorElementType)elementType,
            dims.Select(d => d is >= int.MinValue and <= int.MaxValue ? (int)d
                : throw new OnnxRuntimeException(ErrorCode.InvalidGraph, $"dimension {d} does not fit the 32-bit sizes of this API",
                    subject: name, advice: "the model declares or infers an impossible shape; check its inputs and the attributes of the nodes producing this value")).ToArray(),
            symbols.Select(s => Utf8.Read((byte*)s) ?? "").ToArray());
    }
}
