#pragma once

#include <QByteArray>
#include <QJsonObject>

#include "core/auth/rsaprivatekey.h"
#include "core/common/result.h"

namespace Aq::Auth::Jwt
{
    // base64url without padding, as JWTs (RFC 7515) encode each part.
    QByteArray base64Url(const QByteArray &data);

    // header.claims.signature, signed RS256; "alg":"RS256" and "typ":"JWT" are added to the header.
    Result<QByteArray> signRs256(QJsonObject header, const QJsonObject &claims, const RsaPrivateKey &key);
}
