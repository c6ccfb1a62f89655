#include "core/auth/rsaprivatekey.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Auth
{
    namespace
    {
        // Refuses encrypted keys instead of letting OpenSSL ask for a passphrase on the terminal.
        int noPassphrase(char *, int, int, void *)
        {
            return -1;
        }
    }

    std::optional<RsaPrivateKey> RsaPrivateKey::fromPem(QByteArrayView pem)
    {
        if (pem.isEmpty() || pem.size() > 64 * 1024)
            return std::nullopt;
        std::unique_ptr<BIO, decltype(&BIO_free)> bio {BIO_new_mem_buf(pem.data(), int(pem.size())), &BIO_free};
        if (!bio)
            return std::nullopt;
        EVP_PKEY *key = PEM_read_bio_PrivateKey(bio.get(), nullptr, &noPassphrase, nullptr);
        // the queue may describe the input; nothing of it is reported
        ERR_clear_error();
        if (!key)
            return std::nullopt;
        RsaPrivateKey result;
        result.m_key.reset(key, &EVP_PKEY_free);
        if (EVP_PKEY_base_id(key) != EVP_PKEY_RSA)
            return std::nullopt;
        return result;
    }

    bool RsaPrivateKey::isNull() const
    {
        return !m_key;
    }

    Result<QByteArray> RsaPrivateKey::signSha256(QByteArrayView data) const
    {
        if (!m_key)
            return ApiError::internal(u"Cannot sign: no private key."_s);
        std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context {EVP_MD_CTX_new(), &EVP_MD_CTX_free};
        size_t length = 0;
        const auto *bytes = reinterpret_cast<const unsigned char *>(data.data());
        if (!context || EVP_DigestSignInit(context.get(), nullptr, EVP_sha256(), nullptr, m_key.get()) != 1
            || EVP_DigestSign(context.get(), nullptr, &length, bytes, size_t(data.size())) != 1) {
            ERR_clear_error();
            return ApiError::internal(u"RSA-SHA256 signing failed in OpenSSL."_s);
        }
        QByteArray signature(qsizetype(length), Qt::Uninitialized);
        if (EVP_DigestSign(context.get(), reinterpret_cast<unsigned char *>(signature.data()), &length, bytes, size_t(data.size())) != 1) {
            ERR_clear_error();
            return ApiError::internal(u"RSA-SHA256 signing failed in OpenSSL."_s);
        }
        signature.truncate(qsizetype(length));
        return signature;
    }
}
