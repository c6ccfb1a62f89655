#include "core/auth/jwt.h"

#include <QJsonDocument>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Auth::Jwt
{
    QByteArray base64Url(const QByteArray &data)
    {
        return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    }

    Result<QByteArray> signRs256(QJsonObject header, const QJsonObject &claims, const RsaPrivateKey &key)
    {
        header.insert(u"alg"_s, u"RS256"_s);
        header.insert(u"typ"_s, u"JWT"_s);
        const QByteArray signingInput = base64Url(QJsonDocument(header).toJson(QJsonDocument::Compact)) + '.'
            + base64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact));
        Result<QByteArray> signature = key.signSha256(signingInput);
        if (!signature)
            return signature.error();
        return QByteArray(signingInput + '.' + base64Url(*signature));
    }
}
