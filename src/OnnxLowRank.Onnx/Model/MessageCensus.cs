using Google.Protobuf.Reflection;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Onnx;

/// <summary>
/// Counts the embedded messages of a serialized model straight from the wire format, before any
/// object is built. Each parsed message costs a few hundred bytes however small it is on disk
/// (an empty node is 2 bytes in the file, ~500 in memory), so a small file of millions of empty
/// entries would otherwise allocate hundreds of times its size. Malformed bytes stop the count
/// early: reporting them is the parser's job.
/// </summary>
internal static class MessageCensus
{
    /// <summary>About 2 GB of parsed objects at worst; real graphs, even large language models, hold far fewer.</summary>
    public const long MaxMessages = 1 << 22;

    private static readonly Dictionary<MessageDescriptor, Dictionary<int, MessageDescriptor>> MessageFields = [];

    /// <summary>
    /// Counts the messages of the model read from <paramref name="stream"/> (from its start to its end) and refuses
    /// the model past <see cref="MaxMessages"/>. Only tags and lengths are read; bytes fields are skipped by seeking,
    /// so a file is counted through its stream's own buffer without being held in memory.
    /// </summary>
    public static void Require(Stream stream, int recursionLimit, string? sourcePath)
    {
        long count = 0;
        stream.Position = 0;
        Walk(stream, stream.Length, ModelProto.Descriptor, recursionLimit, ref count);
        if (count > MaxMessages)
        {
            throw new UnsupportedModelException(
                $"model holds more than {MaxMessages} protobuf messages (nodes, tensors, attributes, shapes)", sourcePath,
                advice: "a file this fragmented is corrupt or hostile; real models hold far fewer");
        }
    }

    /// <summary>Walks one message ending at <paramref name="end"/>; the caller moves past it whatever this reads.</summary>
    private static void Walk(Stream stream, long end, MessageDescriptor descriptor, int depthLeft, ref long count)
    {
        if (depthLeft <= 0) return;
        var fields = FieldsOf(descriptor);
        while (stream.Position < end && count <= MaxMessages)
        {
            if (!TryVarint(stream, end, out var tag)) return;
            long skip;
            switch (tag & 7)
            {
                case 0:
                    if (!TryVarint(stream, end, out _)) return;
                    continue;
                case 1:
                    skip = 8;
                    break;
                case 5:
                    skip = 4;
                    break;
                case 2:
                    if (!TryVarint(stream, end, out var length) || length > (ulong)(end - stream.Position)) return;
                    skip = (long)length;
                    if (fields.TryGetValue((int)(tag >> 3), out var inner))
                    {
                        count++;
                        var innerEnd = stream.Position + skip;
                        Walk(stream, innerEnd, inner, depthLeft - 1, ref count);
                        stream.Position = innerEnd;
                        continue;
                    }
                    break;
                default:
                    return;
            }
            if (skip > end - stream.Position) return;
            stream.Position += skip;
        }
    }

    /// <summary>The message-typed fields of a message, by number; built once per type.</summary>
    private static Dictionary<int, MessageDescriptor> FieldsOf(MessageDescriptor descriptor)
    {
        lock (MessageFields)
        {
            if (!MessageFields.TryGetValue(descriptor, out var fields))
            {
                fields = descriptor.Fields.InFieldNumberOrder().Where(f => f.FieldType == FieldType.Message)
                    .ToDictionary(f => f.FieldNumber, f => f.MessageType);
                MessageFields.Add(descriptor, fields);
            }
            return fields;
        }
    }

    private static bool TryVarint(Stream stream, long end, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && stream.Position < end; shift += 7)
        {
            var b = stream.ReadByte();
            if (b < 0) return false;
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }
}
