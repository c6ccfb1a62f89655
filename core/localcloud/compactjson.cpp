#include "core/localcloud/compactjson.h"

#include <cstdint>
#include <cstring>

namespace Aq::LocalCloud::CompactJson
{
    namespace
    {
        void appendUnsigned(std::string &out, uint64_t value)
        {
            char digits[20];
            char *end = digits + sizeof(digits);
            char *p = end;
            do {
                *--p = char('0' + value % 10);
                value /= 10;
            } while (value);
            out.append(p, size_t(end - p));
        }

        // As simdjson's mini_formatter: '"', '\' and the control characters, the short forms where JSON has them.
        void appendString(std::string &out, std::string_view text)
        {
            out += '"';
            size_t plain = 0;
            for (size_t i = 0; i < text.size(); ++i) {
                const unsigned char c = static_cast<unsigned char>(text[i]);
                if (c >= 0x20 && c != '"' && c != '\\')
                    continue;
                out.append(text.data() + plain, i - plain);
                plain = i + 1;
                switch (c) {
                case '"': out += "\\\""; break;
                case '\\': out += "\\\\"; break;
                case '\b': out += "\\b"; break;
                case '\t': out += "\\t"; break;
                case '\n': out += "\\n"; break;
                case '\f': out += "\\f"; break;
                case '\r': out += "\\r"; break;
                default: {
                    static const char hex[] = "0123456789abcdef";
                    const char escaped[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                    out.append(escaped, sizeof(escaped));
                    break;
                }
                }
            }
            out.append(text.data() + plain, text.size() - plain);
            out += '"';
        }

        template <typename Items, typename AppendItem>
        void appendList(std::string &out, char open, char close, const Items &items, AppendItem appendItem)
        {
            out += open;
            bool first = true;
            for (const auto &item : items) {
                if (!first)
                    out += ',';
                first = false;
                appendItem(item);
            }
            out += close;
        }
    }

    void append(std::string &out, simdjson::dom::element element)
    {
        using simdjson::dom::element_type;
        switch (element.type()) {
        case element_type::ARRAY: {
            simdjson::dom::array array;
            if (element.get_array().get(array) == simdjson::SUCCESS)
                appendList(out, '[', ']', array, [&](simdjson::dom::element child) { append(out, child); });
            return;
        }
        case element_type::OBJECT: {
            simdjson::dom::object object;
            if (element.get_object().get(object) == simdjson::SUCCESS) {
                appendList(out, '{', '}', object, [&](const simdjson::dom::key_value_pair &field) {
                    appendString(out, field.key);
                    out += ':';
                    append(out, field.value);
                });
            }
            return;
        }
        case element_type::STRING:
            appendString(out, element.get_string().value_unsafe());
            return;
        case element_type::INT64: {
            const int64_t value = element.get_int64().value_unsafe();
            if (value < 0) {
                out += '-';
                appendUnsigned(out, ~uint64_t(value) + 1);
            } else {
                appendUnsigned(out, uint64_t(value));
            }
            return;
        }
        case element_type::UINT64:
            appendUnsigned(out, element.get_uint64().value_unsafe());
            return;
        case element_type::DOUBLE: {
            char digits[32];
            // the formatter simdjson's own minify uses (it needs no end pointer)
            const char *end = simdjson::internal::to_chars(digits, nullptr, element.get_double().value_unsafe());
            out.append(digits, size_t(end - digits));
            return;
        }
        case element_type::BOOL:
            out += element.get_bool().value_unsafe() ? "true" : "false";
            return;
        case element_type::NULL_VALUE:
            out += "null";
            return;
        }
    }
}
