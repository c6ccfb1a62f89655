#pragma once

#include <memory>
#include <optional>

#include <QByteArray>
#include <QByteArrayView>

#include "core/common/result.h"

struct evp_pkey_st;

namespace Aq::Auth
{
    // An RSA private key held by OpenSSL. Copies share the key; signing from several threads at once is safe.
    class RsaPrivateKey
    {
    public:
        RsaPrivateKey() = default;

        // A PKCS#8 or PKCS#1 PEM RSA key without a passphrase; nullopt for anything else (encrypted keys are refused,
        // never prompted for). Says nothing about why, so that no part of the key can reach a message.
        static std::optional<RsaPrivateKey> fromPem(QByteArrayView pem);

        bool isNull() const;
        // RSASSA-PKCS1-v1_5 with SHA-256 (JWT "RS256").
        Result<QByteArray> signSha256(QByteArrayView data) const;

    private:
        std::shared_ptr<evp_pkey_st> m_key;
    };
}
