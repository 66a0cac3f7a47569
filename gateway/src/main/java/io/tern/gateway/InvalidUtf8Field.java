package io.tern.gateway;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.Optional;

/**
 * Finds the string field whose bytes are not UTF-8 in an encoded message, by walking the wire format
 * with the message's descriptor (protobuf's own parser only says "Protocol message had invalid UTF-8").
 */
final class InvalidUtf8Field {

    /** Same nesting limit as protobuf's parser. */
    private static final int MAX_DEPTH = 100;

    private InvalidUtf8Field() {
    }

    /** Dotted path of the first such field, e.g. "chat.messages.content"; empty if none is found. */
    static Optional<String> find(Descriptor type, byte[] encoded) {
        try {
            return Optional.ofNullable(find(type, CodedInputStream.newInstance(encoded), "", 0));
        } catch (IOException e) {
            return Optional.empty(); // malformed in some other way
        }
    }

    private static String find(Descriptor type, CodedInputStream in, String prefix, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            return null;
        }
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            FieldDescriptor field = type.findFieldByNumber(WireFormat.getTagFieldNumber(tag));
            boolean delimited = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
            if (field == null || !delimited) {
                in.skipField(tag);
                continue;
            }
            if (field.getType() == FieldDescriptor.Type.STRING) {
                if (!in.readBytes().isValidUtf8()) {
                    return prefix + field.getName();
                }
            } else if (field.getType() == FieldDescriptor.Type.MESSAGE) {
                ByteString nested = in.readBytes();
                String found = find(field.getMessageType(), nested.newCodedInput(), prefix + field.getName() + ".", depth + 1);
                if (found != null) {
                    return found;
                }
            } else {
                in.skipField(tag);
            }
        }
        return null;
    }
}
