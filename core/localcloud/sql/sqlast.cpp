#include "core/localcloud/sql/sqlast.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::LocalCloud::Sql
{
    QString binaryOpText(BinaryOp op)
    {
        switch (op) {
        case BinaryOp::Equal: return u"="_s;
        case BinaryOp::NotEqual: return u"!="_s;
        case BinaryOp::Less: return u"<"_s;
        case BinaryOp::LessEqual: return u"<="_s;
        case BinaryOp::Greater: return u">"_s;
        case BinaryOp::GreaterEqual: return u">="_s;
        case BinaryOp::Add: return u"+"_s;
        case BinaryOp::Subtract: return u"-"_s;
        case BinaryOp::Multiply: return u"*"_s;
        case BinaryOp::Divide: return u"/"_s;
        case BinaryOp::Concat: return u"||"_s;
        }
        return QString();
    }

    bool isComparison(BinaryOp op)
    {
        switch (op) {
        case BinaryOp::Equal:
        case BinaryOp::NotEqual:
        case BinaryOp::Less:
        case BinaryOp::LessEqual:
        case BinaryOp::Greater:
        case BinaryOp::GreaterEqual:
            return true;
        default:
            return false;
        }
    }

    bool SqlType::operator==(const SqlType &other) const
    {
        return type == other.type && repeated == other.repeated && fields == other.fields;
    }

    namespace
    {
        QString structName(const QList<BigQuery::TableField> &fields)
        {
            QStringList parts;
            for (const BigQuery::TableField &field : fields) {
                SqlType sub;
                sub.type = field.type;
                sub.repeated = field.isRepeated();
                sub.fields = field.fields;
                parts.append(field.name + u' ' + sub.name());
            }
            return u"STRUCT<%1>"_s.arg(parts.join(u", "_s));
        }
    }

    QString SqlType::name() const
    {
        const QString element = type == BigQuery::FieldType::Record ? structName(fields) : BigQuery::standardTypeName(type);
        return repeated ? u"ARRAY<%1>"_s.arg(element) : element;
    }

    QString locationSuffix(SourcePos pos)
    {
        return u" at [%1:%2]"_s.arg(pos.line).arg(pos.column);
    }

    ApiError syntaxError(const QString &what, SourcePos pos)
    {
        return ApiError::invalidArgument(u"Syntax error: "_s + what + locationSuffix(pos), u"invalidQuery"_s);
    }

    ApiError unsupported(const QString &construct, SourcePos pos)
    {
        return ApiError::invalidArgument(u"Unsupported in the local cloud's SQL subset: "_s + construct + locationSuffix(pos),
                                         u"invalidQuery"_s);
    }

    ApiError invalidQuery(const QString &message, SourcePos pos)
    {
        return ApiError::invalidArgument(message + locationSuffix(pos), u"invalidQuery"_s);
    }
}
