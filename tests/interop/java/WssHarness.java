/*
 * Independent WS-Security peer for brug's interop tests (issue 3).
 *
 * Apache WSS4J 1.6 is what MAGDA's public connector is built on, so a message it signs is
 * the closest thing to "what a real Flemish peer sends", and its verifier is the closest
 * thing to "what a real peer accepts". The tests compile this file with javac against the
 * Debian jars (see .ci/install-peers.sh) and drive it as a CLI:
 *
 *   sign   --profile ksz|magda --keystore P12 --password PW [--alias A] [--ttl S] IN OUT
 *   verify --truststore JKS|P12 [--password PW] [--subject REGEX] IN
 *   bench  --profile ksz|magda --keystore P12 --password PW [--alias A]
 *          --truststore JKS|P12 N IN
 *
 * verify prints one JSON object (principal, signature method, signed parts) and exits 0;
 * on any WSS4J failure it prints the WSS4J error to stderr and exits 2. Usage errors exit 64.
 */

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.xml.XMLConstants;
import javax.xml.namespace.QName;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;

import org.apache.ws.security.WSConstants;
import org.apache.ws.security.WSDataRef;
import org.apache.ws.security.WSEncryptionPart;
import org.apache.ws.security.WSSConfig;
import org.apache.ws.security.WSSecurityEngine;
import org.apache.ws.security.WSSecurityEngineResult;
import org.apache.ws.security.WSSecurityException;
import org.apache.ws.security.components.crypto.Merlin;
import org.apache.ws.security.handler.RequestData;
import org.apache.ws.security.message.WSSecHeader;
import org.apache.ws.security.message.WSSecSignature;
import org.apache.ws.security.message.WSSecTimestamp;
import org.apache.ws.security.util.WSSecurityUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

public final class WssHarness {

    private static final String WSU_NS =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    private static final String WSSE_NS =
        "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    private static final String RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

    private WssHarness() {}

    /** Signing parameters of one brug profile, as WSS4J spells them. */
    private static final class Profile {
        final String name;
        final String signatureAlgorithm;
        final String digestAlgorithm;
        final boolean pkiPath;
        final boolean signTimestampAndToken;
        int ttl;

        Profile(String name, String sig, String digest, boolean pkiPath, boolean tsAndToken, int ttl) {
            this.name = name;
            this.signatureAlgorithm = sig;
            this.digestAlgorithm = digest;
            this.pkiPath = pkiPath;
            this.signTimestampAndToken = tsAndToken;
            this.ttl = ttl;
        }

        static Profile of(String name) {
            switch (name) {
                case "ksz":
                case "strict":
                    // KSZ-BCSS: X509v3 BST, Timestamp <= 5 min, one signature over
                    // Timestamp + Body + BST, exc-c14n, SHA-256, RSA-SHA256.
                    return new Profile(name, RSA_SHA256, WSConstants.SHA256, false, true, 300);
                case "magda":
                    // MAGDA: BST of ValueType X509PKIPathv1 (whole chain), direct reference,
                    // exc-c14n, signature over the Body only, RSA-SHA1 (and SHA-1 digests).
                    return new Profile(name, WSConstants.RSA_SHA1, WSConstants.SHA1, true, false, 0);
                default:
                    throw new IllegalArgumentException("unknown profile: " + name);
            }
        }
    }

    // ------------------------------------------------------------------ CLI plumbing

    private static final class Args {
        final Map<String, String> opts = new HashMap<>();
        final List<String> positional = new ArrayList<>();

        Args(String[] argv, int from) {
            for (int i = from; i < argv.length; i++) {
                if (argv[i].startsWith("--")) {
                    if (i + 1 >= argv.length) {
                        throw new IllegalArgumentException("missing value for " + argv[i]);
                    }
                    opts.put(argv[i].substring(2), argv[++i]);
                } else {
                    positional.add(argv[i]);
                }
            }
        }

        String need(String key) {
            String v = opts.get(key);
            if (v == null) {
                throw new IllegalArgumentException("missing --" + key);
            }
            return v;
        }

        String get(String key, String dflt) {
            return opts.getOrDefault(key, dflt);
        }
    }

    public static void main(String[] argv) {
        // WSS4J logs through commons-logging -> java.util.logging on stderr; keep stderr for
        // the failure reason the Python tests assert on (WSS4J_DEBUG=1 brings the logs back).
        if (System.getenv("WSS4J_DEBUG") == null) {
            System.setProperty("org.apache.commons.logging.Log",
                "org.apache.commons.logging.impl.NoOpLog");
        }
        WSSConfig.init();
        if (argv.length == 0) {
            usage("no command");
            return;
        }
        try {
            Args a = new Args(argv, 1);
            switch (argv[0]) {
                case "sign":
                    cmdSign(a);
                    break;
                case "verify":
                    cmdVerify(a);
                    break;
                case "bench":
                    cmdBench(a);
                    break;
                default:
                    usage("unknown command " + argv[0]);
            }
        } catch (IllegalArgumentException e) {
            usage(e.getMessage());
        } catch (WSSecurityException e) {
            System.err.println("WSSecurityException [" + e.getFaultCode() + "]: " + e.getMessage()
                + describeCause(e));
            System.exit(2);
        } catch (Exception e) {
            System.err.println(e.getClass().getName() + ": " + e.getMessage() + describeCause(e));
            System.exit(3);
        }
    }

    private static String describeCause(Throwable e) {
        StringBuilder sb = new StringBuilder();
        Throwable c = e.getCause();
        while (c != null && c != e) {
            sb.append(" | caused by ").append(c.getClass().getName()).append(": ")
                .append(c.getMessage());
            e = c;
            c = c.getCause();
        }
        return sb.toString();
    }

    private static void usage(String why) {
        System.err.println("usage error: " + why);
        System.err.println("  sign   --profile ksz|magda --keystore P12 --password PW [--alias A] IN OUT");
        System.err.println("  verify --truststore JKS|P12 [--password PW] [--subject REGEX] IN");
        System.err.println("  bench  --profile P --keystore P12 --password PW [--alias A] --truststore T N IN");
        System.exit(64);
    }

    // ------------------------------------------------------------------ commands

    private static void cmdSign(Args a) throws Exception {
        if (a.positional.size() != 2) {
            throw new IllegalArgumentException("sign needs IN OUT");
        }
        Profile p = Profile.of(a.need("profile"));
        p.ttl = Integer.parseInt(a.get("ttl", Integer.toString(p.ttl)));
        String password = a.need("password");
        Merlin crypto = keyCrypto(a.need("keystore"), password);
        String alias = resolveAlias(crypto.getKeyStore(), a.get("alias", null));
        byte[] in = Files.readAllBytes(Paths.get(a.positional.get(0)));
        Document doc = sign(parse(in), p, crypto, alias, password);
        Files.write(Paths.get(a.positional.get(1)), serialize(doc));
    }

    private static void cmdVerify(Args a) throws Exception {
        if (a.positional.size() != 1) {
            throw new IllegalArgumentException("verify needs IN");
        }
        Merlin trust = trustCrypto(a.need("truststore"), a.get("password", "changeit"));
        byte[] in = Files.readAllBytes(Paths.get(a.positional.get(0)));
        String subject = a.get("subject", null);
        List<WSSecurityEngineResult> results = verify(parse(in), trust, subject);
        System.out.println(describe(results));
    }

    private static void cmdBench(Args a) throws Exception {
        if (a.positional.size() != 2) {
            throw new IllegalArgumentException("bench needs N IN");
        }
        int n = Integer.parseInt(a.positional.get(0));
        Profile p = Profile.of(a.need("profile"));
        String password = a.need("password");
        Merlin crypto = keyCrypto(a.need("keystore"), password);
        Merlin trust = trustCrypto(a.need("truststore"), a.get("trustpassword", "changeit"));
        String alias = resolveAlias(crypto.getKeyStore(), a.get("alias", null));
        byte[] in = Files.readAllBytes(Paths.get(a.positional.get(1)));

        // Each iteration is bytes -> bytes (parse, sign, serialize; parse, verify), the
        // same unit of work brug's Signer.sign / Verifier.verify do, so rates compare.
        byte[] signed = null;
        int warm = Math.max(50, Math.min(n, 300));
        for (int i = 0; i < warm; i++) {
            signed = serialize(sign(parse(in), p, crypto, alias, password));
            verify(parse(signed), trust, null);
        }
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            signed = serialize(sign(parse(in), p, crypto, alias, password));
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            verify(parse(signed), trust, null);
        }
        long t2 = System.nanoTime();
        double signs = n / ((t1 - t0) / 1e9);
        double verifies = n / ((t2 - t1) / 1e9);
        System.out.printf(java.util.Locale.ROOT,
            "{\"profile\": \"%s\", \"n\": %d, \"signs_per_s\": %.1f, \"verifies_per_s\": %.1f, "
                + "\"java\": \"%s\"}%n",
            p.name, n, signs, verifies, System.getProperty("java.version"));
    }

    // ------------------------------------------------------------------ WSS4J

    static Document sign(Document doc, Profile p, Merlin crypto, String alias, String password)
            throws WSSecurityException {
        WSSConfig config = WSSConfig.getNewInstance();
        WSSecHeader header = new WSSecHeader();
        header.setMustUnderstand(true);
        header.insertSecurityHeader(doc);

        WSSecTimestamp timestamp = null;
        if (p.ttl > 0) {
            timestamp = new WSSecTimestamp(config);
            timestamp.setTimeToLive(p.ttl);
            timestamp.build(doc, header);
        }

        WSSecSignature sig = new WSSecSignature(config);
        sig.setUserInfo(alias, password);
        sig.setKeyIdentifierType(WSConstants.BST_DIRECT_REFERENCE);
        // false => BST ValueType X509PKIPathv1 carrying the whole chain from the keystore.
        sig.setUseSingleCertificate(!p.pkiPath);
        sig.setSignatureAlgorithm(p.signatureAlgorithm);
        sig.setDigestAlgo(p.digestAlgorithm);
        sig.setSigCanonicalization(WSConstants.C14N_EXCL_OMIT_COMMENTS);

        String soapNs = WSSecurityUtil.getSOAPConstants(doc.getDocumentElement()).getEnvelopeURI();
        List<WSEncryptionPart> parts = new ArrayList<>();
        if (timestamp != null && p.signTimestampAndToken) {
            parts.add(new WSEncryptionPart(timestamp.getId()));
        }
        parts.add(new WSEncryptionPart(WSConstants.ELEM_BODY, soapNs, "Element"));
        if (p.signTimestampAndToken) {
            parts.add(new WSEncryptionPart(
                WSConstants.BINARY_TOKEN_LN, WSConstants.WSSE_NS, "Element"));
        }
        sig.setParts(parts);

        // prepare() creates the BST; it has to be in the header before the references are
        // resolved so that the BST itself can be one of the signed parts (KSZ).
        sig.prepare(doc, crypto, header);
        sig.prependBSTElementToHeader(header);
        List<javax.xml.crypto.dsig.Reference> refs = sig.addReferencesToSign(parts, header);
        sig.computeSignature(refs, false, null);
        // Final header order: BST, Signature, Timestamp would be fine too, but put the
        // Timestamp first (WS-SecurityPolicy "Strict"-like layout, what KSZ documents show).
        if (timestamp != null) {
            Element sec = header.getSecurityHeader();
            sec.insertBefore(timestamp.getElement(), sec.getFirstChild());
        }
        return doc;
    }

    static List<WSSecurityEngineResult> verify(Document doc, Merlin trust, String subjectRegex)
            throws WSSecurityException {
        WSSecurityEngine engine = new WSSecurityEngine();
        WSSConfig config = WSSConfig.getNewInstance();
        engine.setWssConfig(config);
        RequestData data = new RequestData();
        data.setWssConfig(config);
        data.setSigCrypto(trust);
        if (subjectRegex != null) {
            // Trust = issued by the CA AND subject DN matches (per-peer pinning, as a real
            // WSS4J deployment should configure: it warns when no constraint is set).
            data.setSubjectCertConstraints(
                java.util.Collections.singletonList(java.util.regex.Pattern.compile(subjectRegex)));
        }
        Element securityHeader = WSSecurityUtil.getSecurityHeader(doc, null);
        if (securityHeader == null) {
            throw new WSSecurityException("no wsse:Security header in the message");
        }
        List<WSSecurityEngineResult> results = engine.processSecurityHeader(securityHeader, data);
        if (results == null || results.isEmpty()) {
            throw new WSSecurityException("no wsse:Security header processed");
        }
        boolean signed = false;
        for (WSSecurityEngineResult r : results) {
            if (((Integer) r.get(WSSecurityEngineResult.TAG_ACTION)) == WSConstants.SIGN) {
                signed = true;
            }
        }
        if (!signed) {
            throw new WSSecurityException("wsse:Security header holds no signature");
        }
        return results;
    }

    @SuppressWarnings("unchecked")
    private static String describe(List<WSSecurityEngineResult> results) {
        StringBuilder parts = new StringBuilder();
        String principal = "";
        String sigMethod = "";
        String c14n = "";
        String refType = "";
        int chain = 0;
        boolean timestamp = false;
        for (WSSecurityEngineResult r : results) {
            int action = (Integer) r.get(WSSecurityEngineResult.TAG_ACTION);
            if (action == WSConstants.TS) {
                timestamp = true;
            }
            if (action != WSConstants.SIGN) {
                continue;
            }
            X509Certificate cert = (X509Certificate) r.get(WSSecurityEngineResult.TAG_X509_CERTIFICATE);
            if (cert != null) {
                principal = cert.getSubjectX500Principal().getName();
            }
            X509Certificate[] certs =
                (X509Certificate[]) r.get(WSSecurityEngineResult.TAG_X509_CERTIFICATES);
            chain = certs == null ? (cert == null ? 0 : 1) : certs.length;
            sigMethod = String.valueOf(r.get(WSSecurityEngineResult.TAG_SIGNATURE_METHOD));
            c14n = String.valueOf(r.get(WSSecurityEngineResult.TAG_CANONICALIZATION_METHOD));
            refType = String.valueOf(r.get(WSSecurityEngineResult.TAG_X509_REFERENCE_TYPE));
            List<WSDataRef> refs = (List<WSDataRef>) r.get(WSSecurityEngineResult.TAG_DATA_REF_URIS);
            if (refs != null) {
                for (WSDataRef ref : refs) {
                    QName q = ref.getName();
                    if (parts.length() > 0) {
                        parts.append(", ");
                    }
                    parts.append("{\"ns\": \"").append(json(q.getNamespaceURI()))
                        .append("\", \"name\": \"").append(json(q.getLocalPart()))
                        .append("\", \"digest\": \"").append(json(ref.getDigestAlgorithm()))
                        .append("\"}");
                }
            }
        }
        return "{\"principal\": \"" + json(principal) + "\", \"signature_method\": \""
            + json(sigMethod) + "\", \"c14n\": \"" + json(c14n) + "\", \"reference_type\": \""
            + json(refType) + "\", \"chain_length\": " + chain + ", \"timestamp\": " + timestamp
            + ", \"signed_parts\": [" + parts + "]}";
    }

    private static String json(String s) {
        if (s == null) {
            return "";
        }
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    // ------------------------------------------------------------------ key material

    private static KeyStore loadStore(String path, String password) throws Exception {
        String type = path.endsWith(".jks") ? "JKS" : "PKCS12";
        KeyStore ks = KeyStore.getInstance(type);
        try (InputStream in = new FileInputStream(path)) {
            ks.load(in, password.toCharArray());
        }
        return ks;
    }

    /**
     * Merlin asks the KeyStore for the private key on every signature; for a PKCS#12 written by
     * brug (PBES2, many PBKDF2 iterations) that decryption costs more than the RSA operation and
     * would make the benchmark measure the keystore. A deployed WSS4J typically uses a JKS
     * (cheap key protection); caching the decrypted key models that.
     */
    private static final class CachingMerlin extends Merlin {
        private final Map<String, java.security.PrivateKey> keys = new HashMap<>();

        @Override
        public java.security.PrivateKey getPrivateKey(String alias, String password)
                throws WSSecurityException {
            java.security.PrivateKey key = keys.get(alias);
            if (key == null) {
                key = super.getPrivateKey(alias, password);
                keys.put(alias, key);
            }
            return key;
        }
    }

    private static Merlin keyCrypto(String path, String password) throws Exception {
        Merlin m = new CachingMerlin();
        m.setKeyStore(loadStore(path, password));
        return m;
    }

    private static Merlin trustCrypto(String path, String password) throws Exception {
        Merlin m = new Merlin();
        KeyStore ts = loadStore(path, password);
        m.setTrustStore(ts);
        // Merlin also looks issuers up in the "keystore" when building a chain.
        m.setKeyStore(ts);
        return m;
    }

    private static String resolveAlias(KeyStore ks, String wanted) throws Exception {
        if (wanted != null) {
            if (!ks.isKeyEntry(wanted)) {
                throw new IllegalArgumentException("no private key entry '" + wanted + "'");
            }
            return wanted;
        }
        for (Enumeration<String> e = ks.aliases(); e.hasMoreElements();) {
            String alias = e.nextElement();
            if (ks.isKeyEntry(alias)) {
                return alias;
            }
        }
        throw new IllegalArgumentException("keystore holds no private key");
    }

    // ------------------------------------------------------------------ XML

    private static final ThreadLocal<DocumentBuilder> BUILDER = ThreadLocal.withInitial(() -> {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            return f.newDocumentBuilder();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    });

    static Document parse(byte[] xml) throws Exception {
        return BUILDER.get().parse(new ByteArrayInputStream(xml));
    }

    static byte[] serialize(Document doc) throws Exception {
        Transformer t = TransformerFactory.newInstance().newTransformer();
        t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
        t.setOutputProperty(OutputKeys.INDENT, "no");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        t.transform(new DOMSource(doc), new StreamResult(out));
        return out.toByteArray();
    }
}
