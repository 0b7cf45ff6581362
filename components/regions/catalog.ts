/**
 * The region catalogue: every public region of AWS, Azure and GCP the platform knows, with its
 * location, its data-residency geography and the electricity-grid zone it draws power from.
 *
 * Sources (see components/regions/SOURCES.md): region lists from botocore endpoints.json (AWS),
 * `az account list-locations` as cached by Azure/terraform-azurerm-avm-utl-regions (Azure) and
 * Google's region-carbon-info (GCP); grid-zone mapping from Cloud Carbon Footprint with the manual
 * corrections listed in `notes`; Google CFE% from GoogleCloudPlatform/region-carbon-info (Apache-2.0).
 * Carbon intensities are deliberately NOT stored here: they are read from @tgwf/co2 (ODbL data).
 */

export const CLOUDS = ["aws", "azure", "gcp"] as const;
export type Cloud = (typeof CLOUDS)[number];

/** Data-residency groups. EU means EU member states only; Norway is EEA, Switzerland CH. */
export const GEOGRAPHIES = ["US", "CA", "LATAM", "EU", "EEA", "CH", "UK", "APAC", "ME", "AF"] as const;
export type Geography = (typeof GEOGRAPHIES)[number];

export interface RegionInfo {
    cloud: Cloud;
    /** The exact API name of the region. */
    region: string;
    location: string;
    /** ISO 3166-1 alpha-2 country code. */
    country: string;
    geography: Geography;
    /** Electricity Maps zone the region is mapped to, or null where the mapping is unresolved. */
    gridZone: string | null;
    /** Who assigned the zone (CCF or a manual mapping with its reason in notes). */
    zoneMapping: string | null;
    /** GCP only: Google's published carbon-free-energy percentage for the region (2024). */
    googleCfePct?: number;
    notes?: string;
}

export const REGIONS: readonly RegionInfo[] = [
  {"cloud": "aws", "region": "af-south-1", "location": "Cape Town, South Africa", "country": "ZA", "geography": "AF", "gridZone": "ZA", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "ap-east-1", "location": "Hong Kong", "country": "HK", "geography": "APAC", "gridZone": "HK", "zoneMapping": "manual (this dataset)", "notes": "CCF has no zone (null); Hong Kong is a single EM zone"},
  {"cloud": "aws", "region": "ap-east-2", "location": "Taipei, Taiwan", "country": "TW", "geography": "APAC", "gridZone": "TW", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Taiwan is a single EM zone; no CCF default factor for this region"},
  {"cloud": "aws", "region": "ap-northeast-1", "location": "Tokyo, Japan", "country": "JP", "geography": "APAC", "gridZone": "JP-TK", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "ap-northeast-2", "location": "Seoul, South Korea", "country": "KR", "geography": "APAC", "gridZone": "KR", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "ap-northeast-3", "location": "Osaka, Japan", "country": "JP", "geography": "APAC", "gridZone": "JP-KN", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "ap-south-1", "location": "Mumbai, India", "country": "IN", "geography": "APAC", "gridZone": "IN-WE", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "ap-south-2", "location": "Hyderabad, India", "country": "IN", "geography": "APAC", "gridZone": "IN-SO", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Hyderabad (Telangana) lies in EM zone Southern India; no CCF default factor for this region"},
  {"cloud": "aws", "region": "ap-southeast-1", "location": "Singapore", "country": "SG", "geography": "APAC", "gridZone": "SG", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "ap-southeast-2", "location": "Sydney, Australia", "country": "AU", "geography": "APAC", "gridZone": "AU-NSW", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "ap-southeast-3", "location": "Jakarta, Indonesia", "country": "ID", "geography": "APAC", "gridZone": "ID", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "ap-southeast-4", "location": "Melbourne, Australia", "country": "AU", "geography": "APAC", "gridZone": "AU-VIC", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Melbourne lies in EM zone Victoria; no CCF default factor for this region"},
  {"cloud": "aws", "region": "ap-southeast-5", "location": "Malaysia", "country": "MY", "geography": "APAC", "gridZone": "MY-WM", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; assumes the region is on peninsular Malaysia (EM zone MY-WM); no CCF default factor for this region"},
  {"cloud": "aws", "region": "ap-southeast-6", "location": "New Zealand", "country": "NZ", "geography": "APAC", "gridZone": "NZ", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; EM zone New Zealand; no CCF default factor for this region"},
  {"cloud": "aws", "region": "ap-southeast-7", "location": "Thailand", "country": "TH", "geography": "APAC", "gridZone": "TH", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Thailand is a single EM zone; no CCF default factor for this region"},
  {"cloud": "aws", "region": "ca-central-1", "location": "Montreal, Canada", "country": "CA", "geography": "CA", "gridZone": "CA-QC", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "ca-west-1", "location": "Calgary, Canada", "country": "CA", "geography": "CA", "gridZone": "CA-AB", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Calgary lies in EM zone Alberta; no CCF default factor for this region"},
  {"cloud": "aws", "region": "eu-central-1", "location": "Frankfurt, Germany", "country": "DE", "geography": "EU", "gridZone": "DE", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "eu-central-2", "location": "Zurich, Switzerland", "country": "CH", "geography": "CH", "gridZone": "CH", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Switzerland is a single EM zone; no CCF default factor for this region"},
  {"cloud": "aws", "region": "eu-north-1", "location": "Stockholm, Sweden", "country": "SE", "geography": "EU", "gridZone": "SE-SE3", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "eu-south-1", "location": "Milan, Italy", "country": "IT", "geography": "EU", "gridZone": "IT-NO", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "eu-south-2", "location": "Spain", "country": "ES", "geography": "EU", "gridZone": "ES", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Spain (peninsula) EM zone ES; no CCF default factor for this region"},
  {"cloud": "aws", "region": "eu-west-1", "location": "Ireland", "country": "IE", "geography": "EU", "gridZone": "IE", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "eu-west-2", "location": "London, United Kingdom", "country": "GB", "geography": "UK", "gridZone": "GB", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "eu-west-3", "location": "Paris, France", "country": "FR", "geography": "EU", "gridZone": "FR", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "il-central-1", "location": "Tel Aviv, Israel", "country": "IL", "geography": "ME", "gridZone": "IL", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Israel is a single EM zone; no CCF default factor for this region"},
  {"cloud": "aws", "region": "me-central-1", "location": "United Arab Emirates", "country": "AE", "geography": "ME", "gridZone": "AE", "zoneMapping": "manual (this dataset)", "notes": "CCF has no zone (null); UAE is a single EM zone"},
  {"cloud": "aws", "region": "me-south-1", "location": "Bahrain", "country": "BH", "geography": "ME", "gridZone": "BH", "zoneMapping": "manual (this dataset)", "notes": "CCF has no zone (null); Bahrain is a single EM zone"},
  {"cloud": "aws", "region": "mx-central-1", "location": "Mexico (Central)", "country": "MX", "geography": "LATAM", "gridZone": "MX", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Mexico is a single EM zone; no CCF default factor for this region"},
  {"cloud": "aws", "region": "sa-east-1", "location": "Sao Paulo, Brazil", "country": "BR", "geography": "LATAM", "gridZone": "BR-CS", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "us-east-1", "location": "N. Virginia, USA", "country": "US", "geography": "US", "gridZone": "US-MIDA-PJM", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "us-east-2", "location": "Ohio, USA", "country": "US", "geography": "US", "gridZone": "US-MIDA-PJM", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "us-west-1", "location": "N. California, USA", "country": "US", "geography": "US", "gridZone": "US-CAL-CISO", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "aws", "region": "us-west-2", "location": "Oregon, USA", "country": "US", "geography": "US", "gridZone": "US-NW-PACW", "zoneMapping": "CCF AWS_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "GSF real-time-cloud maps this region to US-NW-BPAT instead"},
  {"cloud": "azure", "region": "australiacentral", "location": "Canberra, Australia", "country": "AU", "geography": "APAC", "gridZone": "AU-NSW", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "Canberra (ACT) is in the NSW region of the NEM; Azure regionCategory=Other"},
  {"cloud": "azure", "region": "australiacentral2", "location": "Canberra, Australia", "country": "AU", "geography": "APAC", "gridZone": "AU-NSW", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "Canberra (ACT) is in the NSW region of the NEM; Azure regionCategory=Other"},
  {"cloud": "azure", "region": "australiaeast", "location": "New South Wales, Australia", "country": "AU", "geography": "APAC", "gridZone": "AU-NSW", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "australiasoutheast", "location": "Victoria, Australia", "country": "AU", "geography": "APAC", "gridZone": "AU-VIC", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "Azure regionCategory=Other"},
  {"cloud": "azure", "region": "austriaeast", "location": "Vienna, Austria", "country": "AT", "geography": "EU", "gridZone": "AT", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Austria is a single EM zone; no CCF default factor for this region"},
  {"cloud": "azure", "region": "belgiumcentral", "location": "Brussels, Belgium", "country": "BE", "geography": "EU", "gridZone": "BE", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Belgium is a single EM zone; no CCF default factor for this region"},
  {"cloud": "azure", "region": "brazilsouth", "location": "Sao Paulo State, Brazil", "country": "BR", "geography": "LATAM", "gridZone": "BR-CS", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "brazilsoutheast", "location": "Rio, Brazil", "country": "BR", "geography": "LATAM", "gridZone": "BR-CS", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "Azure regionCategory=Other"},
  {"cloud": "azure", "region": "canadacentral", "location": "Toronto, Canada", "country": "CA", "geography": "CA", "gridZone": "CA-ON", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "canadaeast", "location": "Quebec, Canada", "country": "CA", "geography": "CA", "gridZone": "CA-QC", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "Azure regionCategory=Other"},
  {"cloud": "azure", "region": "centralindia", "location": "Pune, India", "country": "IN", "geography": "APAC", "gridZone": "IN-WE", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "centralus", "location": "Iowa, United States", "country": "US", "geography": "US", "gridZone": "US-MIDW-MISO", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "chilecentral", "location": "Santiago, Chile", "country": "CL", "geography": "LATAM", "gridZone": "CL-SEN", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Chile national grid SEN; no CCF default factor for this region"},
  {"cloud": "azure", "region": "denmarkeast", "location": "Copenhagen, Denmark", "country": "DK", "geography": "EU", "gridZone": "DK-DK2", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Copenhagen lies in EM zone East Denmark; no CCF default factor for this region"},
  {"cloud": "azure", "region": "eastasia", "location": "Hong Kong", "country": "HK", "geography": "APAC", "gridZone": "HK", "zoneMapping": "manual (this dataset)", "notes": "CCF has no zone (null); Hong Kong is a single EM zone"},
  {"cloud": "azure", "region": "eastus", "location": "Virginia, United States", "country": "US", "geography": "US", "gridZone": "US-MIDA-PJM", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "eastus2", "location": "Virginia, United States", "country": "US", "geography": "US", "gridZone": "US-MIDA-PJM", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "Azure regionCategory=Other"},
  {"cloud": "azure", "region": "francecentral", "location": "Paris, France", "country": "FR", "geography": "EU", "gridZone": "FR", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "francesouth", "location": "Marseille, France", "country": "FR", "geography": "EU", "gridZone": "FR", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "Azure regionCategory=Other"},
  {"cloud": "azure", "region": "germanynorth", "location": "Berlin, Germany", "country": "DE", "geography": "EU", "gridZone": "DE", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "Azure regionCategory=Other"},
  {"cloud": "azure", "region": "germanywestcentral", "location": "Frankfurt, Germany", "country": "DE", "geography": "EU", "gridZone": "DE", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "indonesiacentral", "location": "Jakarta, Indonesia", "country": "ID", "geography": "APAC", "gridZone": "ID", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; EM zone Indonesia; no CCF default factor for this region"},
  {"cloud": "azure", "region": "israelcentral", "location": "Israel", "country": "IL", "geography": "ME", "gridZone": "IL", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Israel is a single EM zone; no CCF default factor for this region"},
  {"cloud": "azure", "region": "italynorth", "location": "Milan, Italy", "country": "IT", "geography": "EU", "gridZone": "IT-NO", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Milan lies in EM zone North Italy; no CCF default factor for this region"},
  {"cloud": "azure", "region": "japaneast", "location": "Tokyo, Saitama, Japan", "country": "JP", "geography": "APAC", "gridZone": "JP-TK", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "japanwest", "location": "Osaka, Japan", "country": "JP", "geography": "APAC", "gridZone": "JP-KN", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "jioindiacentral", "location": "Nagpur, India", "country": "IN", "geography": "APAC", "gridZone": "IN-WE", "zoneMapping": "manual (this dataset)", "notes": "not in CCF zone map; Nagpur (Maharashtra) lies in EM zone Western India; Azure regionCategory=Other"},
  {"cloud": "azure", "region": "jioindiawest", "location": "Jamnagar, India", "country": "IN", "geography": "APAC", "gridZone": "IN-WE", "zoneMapping": "manual (this dataset)", "notes": "not in CCF zone map; Jamnagar (Gujarat) lies in EM zone Western India; Azure regionCategory=Other"},
  {"cloud": "azure", "region": "koreacentral", "location": "Seoul, South Korea", "country": "KR", "geography": "APAC", "gridZone": "KR", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "koreasouth", "location": "Busan, South Korea", "country": "KR", "geography": "APAC", "gridZone": "KR", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "Azure regionCategory=Other"},
  {"cloud": "azure", "region": "malaysiawest", "location": "Kuala Lumpur, Malaysia", "country": "MY", "geography": "APAC", "gridZone": "MY-WM", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Kuala Lumpur lies in EM zone MY-WM (peninsula); no CCF default factor for this region"},
  {"cloud": "azure", "region": "mexicocentral", "location": "Querétaro State, Mexico", "country": "MX", "geography": "LATAM", "gridZone": "MX", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Mexico is a single EM zone; no CCF default factor for this region"},
  {"cloud": "azure", "region": "newzealandnorth", "location": "Auckland, New Zealand", "country": "NZ", "geography": "APAC", "gridZone": "NZ", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; EM zone New Zealand; no CCF default factor for this region"},
  {"cloud": "azure", "region": "northcentralus", "location": "Illinois, United States", "country": "US", "geography": "US", "gridZone": "US-MIDA-PJM", "zoneMapping": "manual (this dataset)", "notes": "CCF maps to US-MIDW-MISO; overridden because the Chicago area (ComEd) is in PJM; Azure regionCategory=Other"},
  {"cloud": "azure", "region": "northeurope", "location": "Ireland", "country": "IE", "geography": "EU", "gridZone": "IE", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "norwayeast", "location": "Norway", "country": "NO", "geography": "EEA", "gridZone": "NO-NO1", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "norwaywest", "location": "Norway", "country": "NO", "geography": "EEA", "gridZone": "NO-NO2", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "Azure regionCategory=Other"},
  {"cloud": "azure", "region": "polandcentral", "location": "Warsaw, Poland", "country": "PL", "geography": "EU", "gridZone": "PL", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Poland is a single EM zone; no CCF default factor for this region"},
  {"cloud": "azure", "region": "qatarcentral", "location": "Doha, Qatar", "country": "QA", "geography": "ME", "gridZone": "QA", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Qatar is a single EM zone; no CCF default factor for this region"},
  {"cloud": "azure", "region": "southafricanorth", "location": "Johannesburg, South Africa", "country": "ZA", "geography": "AF", "gridZone": "ZA", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "southafricawest", "location": "Cape Town, South Africa", "country": "ZA", "geography": "AF", "gridZone": "ZA", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "Azure regionCategory=Other"},
  {"cloud": "azure", "region": "southcentralus", "location": "Texas, United States", "country": "US", "geography": "US", "gridZone": "US-TEX-ERCO", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "Azure regionCategory=Other"},
  {"cloud": "azure", "region": "southeastasia", "location": "Singapore", "country": "SG", "geography": "APAC", "gridZone": "SG", "zoneMapping": "manual (this dataset)", "notes": "CCF maps the alias 'apsoutheast' to SG; Singapore is a single EM zone"},
  {"cloud": "azure", "region": "southindia", "location": "Chennai, India", "country": "IN", "geography": "APAC", "gridZone": "IN-SO", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "Azure regionCategory=Other"},
  {"cloud": "azure", "region": "spaincentral", "location": "Madrid, Spain", "country": "ES", "geography": "EU", "gridZone": "ES", "zoneMapping": "manual (this dataset)", "notes": "not in CCF; Spain (peninsula) EM zone ES; no CCF default factor for this region"},
  {"cloud": "azure", "region": "swedencentral", "location": "Gävle, Sweden", "country": "SE", "geography": "EU", "gridZone": "SE-SE3", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "switzerlandnorth", "location": "Zurich, Switzerland", "country": "CH", "geography": "CH", "gridZone": "CH", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "switzerlandwest", "location": "Geneva, Switzerland", "country": "CH", "geography": "CH", "gridZone": "CH", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "Azure regionCategory=Other"},
  {"cloud": "azure", "region": "uaecentral", "location": "Abu Dhabi, UAE", "country": "AE", "geography": "ME", "gridZone": "AE", "zoneMapping": "manual (this dataset)", "notes": "CCF has no zone (null); UAE is a single EM zone; Azure regionCategory=Other"},
  {"cloud": "azure", "region": "uaenorth", "location": "Dubai, UAE", "country": "AE", "geography": "ME", "gridZone": "AE", "zoneMapping": "manual (this dataset)", "notes": "CCF has no zone (null); UAE is a single EM zone"},
  {"cloud": "azure", "region": "uksouth", "location": "London, United Kingdom", "country": "GB", "geography": "UK", "gridZone": "GB", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "ukwest", "location": "Cardiff, United Kingdom", "country": "GB", "geography": "UK", "gridZone": "GB", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "Azure regionCategory=Other"},
  {"cloud": "azure", "region": "westcentralus", "location": "Wyoming, United States", "country": "US", "geography": "US", "gridZone": "US-NW-PACE", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "uncertain: Cheyenne, WY may be in EM zone US-NW-WACM; Azure regionCategory=Other"},
  {"cloud": "azure", "region": "westeurope", "location": "Netherlands", "country": "NL", "geography": "EU", "gridZone": "NL", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES"},
  {"cloud": "azure", "region": "westindia", "location": "Mumbai, India", "country": "IN", "geography": "APAC", "gridZone": "IN-WE", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "Azure regionCategory=Other"},
  {"cloud": "azure", "region": "westus", "location": "California, United States", "country": "US", "geography": "US", "gridZone": "US-CAL-CISO", "zoneMapping": "CCF AZURE_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "notes": "Azure regionCategory=Other"},
  {"cloud": "azure", "region": "westus2", "location": "Washington, United States", "country": "US", "geography": "US", "gridZone": null, "zoneMapping": null, "notes": "no Electricity Maps value: region not mapped to a zone; CCF maps to US-NW-PACE (Utah/Wyoming), which does not cover Washington; balancing authority not verified (candidate zones: US-NW-GCPD, US-NW-BPAT)"},
  {"cloud": "azure", "region": "westus3", "location": "Phoenix, United States", "country": "US", "geography": "US", "gridZone": null, "zoneMapping": null, "notes": "no Electricity Maps value: region not mapped to a zone; CCF maps to US-NW-PACE, which does not cover Arizona; balancing authority not verified (candidate zones: US-SW-AZPS, US-SW-SRP); Azure regionCategory=Other"},
  {"cloud": "gcp", "region": "africa-south1", "location": "Johannesburg, South Africa", "country": "ZA", "geography": "AF", "gridZone": "ZA", "zoneMapping": "manual (this dataset)", "googleCfePct": 15.0, "notes": "not in CCF; South Africa is a single EM zone"},
  {"cloud": "gcp", "region": "asia-east1", "location": "Taiwan", "country": "TW", "geography": "APAC", "gridZone": "TW", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 17.0},
  {"cloud": "gcp", "region": "asia-east2", "location": "Hong Kong", "country": "HK", "geography": "APAC", "gridZone": "HK", "zoneMapping": "manual (this dataset)", "googleCfePct": 1.0, "notes": "CCF has no zone (null); Hong Kong is a single EM zone"},
  {"cloud": "gcp", "region": "asia-northeast1", "location": "Tokyo, Japan", "country": "JP", "geography": "APAC", "gridZone": "JP-TK", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 17.0},
  {"cloud": "gcp", "region": "asia-northeast2", "location": "Osaka, Japan", "country": "JP", "geography": "APAC", "gridZone": "JP-KN", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 46.0},
  {"cloud": "gcp", "region": "asia-northeast3", "location": "Seoul, South Korea", "country": "KR", "geography": "APAC", "gridZone": "KR", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 37.0},
  {"cloud": "gcp", "region": "asia-south1", "location": "Mumbai, India", "country": "IN", "geography": "APAC", "gridZone": "IN-WE", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 9.0},
  {"cloud": "gcp", "region": "asia-south2", "location": "Delhi, India", "country": "IN", "geography": "APAC", "gridZone": "IN-NO", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 29.0},
  {"cloud": "gcp", "region": "asia-southeast1", "location": "Singapore", "country": "SG", "geography": "APAC", "gridZone": "SG", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 4.0},
  {"cloud": "gcp", "region": "asia-southeast2", "location": "Jakarta, Indonesia", "country": "ID", "geography": "APAC", "gridZone": "ID", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 18.0},
  {"cloud": "gcp", "region": "australia-southeast1", "location": "Sydney, Australia", "country": "AU", "geography": "APAC", "gridZone": "AU-NSW", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 34.0},
  {"cloud": "gcp", "region": "australia-southeast2", "location": "Melbourne, Australia", "country": "AU", "geography": "APAC", "gridZone": "AU-VIC", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 39.0},
  {"cloud": "gcp", "region": "europe-central2", "location": "Warsaw, Poland", "country": "PL", "geography": "EU", "gridZone": "PL", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 40.0},
  {"cloud": "gcp", "region": "europe-north1", "location": "Finland", "country": "FI", "geography": "EU", "gridZone": "FI", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 98.0},
  {"cloud": "gcp", "region": "europe-north2", "location": "Stockholm, Sweden", "country": "SE", "geography": "EU", "gridZone": "SE-SE3", "zoneMapping": "manual (this dataset)", "googleCfePct": 100.0, "notes": "not in CCF; Stockholm lies in EM zone SE3; Google value 2.73 is its first published year for this region"},
  {"cloud": "gcp", "region": "europe-southwest1", "location": "Madrid, Spain", "country": "ES", "geography": "EU", "gridZone": "ES", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 87.0},
  {"cloud": "gcp", "region": "europe-west1", "location": "Belgium", "country": "BE", "geography": "EU", "gridZone": "BE", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 84.0},
  {"cloud": "gcp", "region": "europe-west2", "location": "London, United Kingdom", "country": "GB", "geography": "UK", "gridZone": "GB", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 79.0},
  {"cloud": "gcp", "region": "europe-west3", "location": "Frankfurt, Germany", "country": "DE", "geography": "EU", "gridZone": "DE", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 68.0},
  {"cloud": "gcp", "region": "europe-west4", "location": "Eemshaven, Netherlands", "country": "NL", "geography": "EU", "gridZone": "NL", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 83.0},
  {"cloud": "gcp", "region": "europe-west6", "location": "Zürich, Switzerland", "country": "CH", "geography": "CH", "gridZone": "CH", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 98.0},
  {"cloud": "gcp", "region": "europe-west8", "location": "Milan, Italy", "country": "IT", "geography": "EU", "gridZone": "IT-NO", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 73.0},
  {"cloud": "gcp", "region": "europe-west9", "location": "Paris, France", "country": "FR", "geography": "EU", "gridZone": "FR", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 96.0},
  {"cloud": "gcp", "region": "europe-west10", "location": "Berlin, Germany", "country": "DE", "geography": "EU", "gridZone": "DE", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 68.0},
  {"cloud": "gcp", "region": "europe-west12", "location": "Turin, Italy", "country": "IT", "geography": "EU", "gridZone": "IT-NO", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 73.0},
  {"cloud": "gcp", "region": "me-central1", "location": "Doha, Qatar", "country": "QA", "geography": "ME", "gridZone": "QA", "zoneMapping": "manual (this dataset)", "googleCfePct": 1.0, "notes": "not in CCF; Qatar is a single EM zone"},
  {"cloud": "gcp", "region": "me-central2", "location": "Dammam, Saudi Arabia", "country": "SA", "geography": "ME", "gridZone": "SA", "zoneMapping": "manual (this dataset)", "googleCfePct": 1.0, "notes": "not in CCF; Saudi Arabia is a single EM zone"},
  {"cloud": "gcp", "region": "me-west1", "location": "Tel Aviv, Israel", "country": "IL", "geography": "ME", "gridZone": "IL", "zoneMapping": "manual (this dataset)", "googleCfePct": 7.0, "notes": "not in CCF; Israel is a single EM zone"},
  {"cloud": "gcp", "region": "northamerica-northeast1", "location": "Montréal, Canada", "country": "CA", "geography": "CA", "gridZone": "CA-QC", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 99.0},
  {"cloud": "gcp", "region": "northamerica-northeast2", "location": "Toronto, Canada", "country": "CA", "geography": "CA", "gridZone": "CA-ON", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 84.0},
  {"cloud": "gcp", "region": "northamerica-south1", "location": "Mexico", "country": "MX", "geography": "LATAM", "gridZone": "MX", "zoneMapping": "manual (this dataset)", "googleCfePct": 19.0, "notes": "not in CCF; Mexico is a single EM zone"},
  {"cloud": "gcp", "region": "southamerica-east1", "location": "Sāo Paulo, Brazil", "country": "BR", "geography": "LATAM", "gridZone": "BR-CS", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 88.0},
  {"cloud": "gcp", "region": "southamerica-west1", "location": "Santiago, Chile", "country": "CL", "geography": "LATAM", "gridZone": "CL-SEN", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 92.0},
  {"cloud": "gcp", "region": "us-central1", "location": "Iowa, USA", "country": "US", "geography": "US", "gridZone": "US-MIDW-MISO", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 87.0},
  {"cloud": "gcp", "region": "us-central2", "location": "Oklahoma, USA", "country": "US", "geography": "US", "gridZone": "US-CENT-SWPP", "zoneMapping": "manual (this dataset)", "googleCfePct": 88.0, "notes": "CCF maps to US-MIDW-MISO; overridden because Oklahoma is in SPP; not listed among public regions in the GCP location lists checked (e.g. Cloud Run locations)"},
  {"cloud": "gcp", "region": "us-east1", "location": "South Carolina, USA", "country": "US", "geography": "US", "gridZone": "US-CAR-SCEG", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 31.0, "notes": "GSF real-time-cloud maps this region to US-CAR-SC instead"},
  {"cloud": "gcp", "region": "us-east2", "location": "Georgia, USA", "country": "US", "geography": "US", "gridZone": "US-SE-SOCO", "zoneMapping": "manual (this dataset)", "googleCfePct": 42.0, "notes": "not in CCF; Georgia lies in EM zone Southern Company (SOCO); not listed among public regions in the GCP location lists checked (e.g. Cloud Run locations)"},
  {"cloud": "gcp", "region": "us-east4", "location": "Northern Virginia, USA", "country": "US", "geography": "US", "gridZone": "US-MIDA-PJM", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 62.0},
  {"cloud": "gcp", "region": "us-east5", "location": "Columbus, USA", "country": "US", "geography": "US", "gridZone": "US-MIDA-PJM", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 62.0},
  {"cloud": "gcp", "region": "us-south1", "location": "Dallas, USA", "country": "US", "geography": "US", "gridZone": "US-TEX-ERCO", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 94.0},
  {"cloud": "gcp", "region": "us-west1", "location": "Oregon, USA", "country": "US", "geography": "US", "gridZone": "US-NW-PACW", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 87.0, "notes": "GSF real-time-cloud maps this region to US-NW-BPAT instead"},
  {"cloud": "gcp", "region": "us-west2", "location": "Los Angeles, USA", "country": "US", "geography": "US", "gridZone": "US-CAL-CISO", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 63.0, "notes": "Los Angeles may instead be served by US-CAL-LDWP"},
  {"cloud": "gcp", "region": "us-west3", "location": "Salt Lake City, USA", "country": "US", "geography": "US", "gridZone": "US-NW-PACE", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 33.0},
  {"cloud": "gcp", "region": "us-west4", "location": "Las Vegas, USA", "country": "US", "geography": "US", "gridZone": "US-NW-NEVP", "zoneMapping": "CCF GCP_MAPPED_REGIONS_TO_ELECTRICITY_MAPS_ZONES", "googleCfePct": 64.0},
];
