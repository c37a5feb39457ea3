using Google.Protobuf.Reflection;
using OnnxLowRank.Onnx.Errors;
using OnnxLowRank.Onnx.Protos;

namespace OnnxLowRank.Onnx;

/// <summary>
/// Counts the embedded messages of a serialized model straight from the wire bytes, before any
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

    public static void Require(ReadOnlySpan<byte> bytes, int recursionLimit, string? sourcePath)
    {
        long count = 0;
        Walk(bytes, ModelProto.Descriptor, recursionLimit, ref count);
        if (count > MaxMessages)
        {
            throw new UnsupportedModelException(
                $"model holds more than {MaxMessages} protobuf messages (nodes, tensors, attributes, shapes)", sourcePath,
                advice: "a file this fragmented is corrupt or hostile; real models hold far fewer");
        }
    }

    private static void Walk(ReadOnlySpan<byte> bytes, MessageDescriptor descriptor, int depthLeft, ref long count)
    {
        if (depthLeft <= 0) return;
        var fields = FieldsOf(descriptor);
        var position = 0;
        while (position < bytes.Length && count <= MaxMessages)
        {
            if (!TryVarint(bytes, ref position, out var tag)) return;
            switch (tag & 7)
            {
                case 0:
                    if (!TryVarint(bytes, ref position, out _)) return;
                    break;
                case 1:
                    position += 8;
                    break;
                case 5:
                    position += 4;
                    break;
                case 2:
                    if (!TryVarint(bytes, ref position, out var length) || length > (ulong)(bytes.Length - position)) return;
                    if (fields.TryGetValue((int)(tag >> 3), out var inner))
                    {
                        count++;
                        Walk(bytes.Slice(position, (int)length), inner, depthLeft - 1, ref count);
                    }
                    position += (int)length;
                    break;
                default:
                    return;
            }
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

    private static bool TryVarint(ReadOnlySpan<byte> bytes, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64 && position < bytes.Length; shift += 7)
        {
            var b = bytes[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return true;
        }
        return false;
    }
}
